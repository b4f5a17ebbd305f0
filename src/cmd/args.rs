//! The command line in Chinese: clap's help keeps only our templates and texts (usage lines,
//! defaults and choices are written in Chinese into each option's help), `help <命令>` shows a
//! command's help, and clap's errors are rendered by [`Chinese`] from their kind and context.
//! Exit codes are clap's: 0 for help and version, 2 for a usage error.

use clap::error::{ContextKind, ContextValue, ErrorFormatter, ErrorKind};
use clap::{Arg, CommandFactory, FromArgMatches};

use std::path::PathBuf;

use super::{Cli, Command};
use crate::console::escape;
use crate::ingest;
use crate::rules::{shipped, Purpose, Source};

/// The command line, with Chinese usage lines and defaults / choices in the help texts.
pub fn command() -> clap::Command {
    localize(Cli::command(), "")
}

/// Parse the process's arguments; on a usage error, `--help`, `--version` or `help`, print in
/// Chinese and exit.
pub fn parse() -> Cli {
    parse_from(std::env::args_os())
}

/// [`parse`] of given arguments (the first is the program name).
pub fn parse_from<I, T>(argv: I) -> Cli
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli =
        command().try_get_matches_from(argv).and_then(|mut m| Cli::from_arg_matches_mut(&mut m));
    match cli {
        Ok(Cli { command: Command::Help(h), .. }) => show_help(h.command.as_deref()),
        Ok(cli) => cli,
        Err(e) => e.apply::<Chinese>().exit(),
    }
}

/// `mujun help [命令]`: the same text as `mujun [命令] --help`; an unknown command is a usage error.
fn show_help(name: Option<&str>) -> ! {
    let argv = ["mujun"].into_iter().chain(name).chain(["--help"]);
    match command().try_get_matches_from(argv) {
        Err(e) => e.apply::<Chinese>().exit(),
        // `--help` always ends the parse; this is not reached.
        Ok(_) => std::process::exit(0),
    }
}

/// Usage lines and option notes for `cmd` and its subcommands; `parent` is e.g. "mujun ".
fn localize(cmd: clap::Command, parent: &str) -> clap::Command {
    let path = format!("{parent}{}", cmd.get_name());
    let usage = usage_line(&cmd, &path);
    let prefix = format!("{path} ");
    cmd.override_usage(usage)
        .mut_args(note_defaults)
        .mut_subcommands(move |sub| localize(sub, &prefix))
}

/// "mujun explain [选项] <统一社会信用代码|企业名称>", "mujun rules [选项] [命令]": clap's own
/// line says `[OPTIONS]`.
fn usage_line(cmd: &clap::Command, path: &str) -> String {
    let mut s = format!("{path} [选项]");
    for a in cmd.get_positionals() {
        let name = a
            .get_value_names()
            .and_then(|v| v.first())
            .map(|v| v.to_string())
            .unwrap_or_else(|| a.get_id().to_string());
        s += &if a.is_required_set() { format!(" <{name}>") } else { format!(" [{name}]") };
    }
    if cmd.has_subcommands() {
        // `mujun rules` runs without one (it lists the schemes).
        s += if cmd.is_subcommand_required_set() { " <命令>" } else { " [命令]" };
    }
    s
}

/// Write "（可选：…；默认：…）" into the help of an option that takes a value, in place of clap's
/// English "[possible values: …]" and "[default: …]".
fn note_defaults(a: Arg) -> Arg {
    if !a.get_action().takes_values() {
        return a;
    }
    let mut notes = Vec::new();
    let choices: Vec<String> = a
        .get_possible_values()
        .iter()
        .filter(|p| !p.is_hide_set())
        .map(|p| p.get_name().to_string())
        .collect();
    if !choices.is_empty() {
        notes.push(format!("可选：{}", choices.join("、")));
    }
    let defaults: Vec<String> =
        a.get_default_values().iter().map(|v| v.to_string_lossy().into_owned()).collect();
    if !defaults.is_empty() {
        notes.push(format!("默认：{}", defaults.join(" ")));
    }
    if notes.is_empty() {
        return a;
    }
    let help = a.get_help().map(|h| h.to_string()).unwrap_or_default();
    let help = format!("{help}（{}）", notes.join("；"));
    a.help(help).hide_default_value(true).hide_possible_values(true)
}

/// clap's errors in Chinese, built from the error's kind and context.
pub struct Chinese;

impl ErrorFormatter for Chinese {
    fn format_error(e: &clap::error::Error<Self>) -> clap::builder::StyledStr {
        let mut s = format!("错误：{}", message(e));
        for (kind, what) in [
            (ContextKind::SuggestedSubcommand, "命令"),
            (ContextKind::SuggestedArg, "选项"),
            (ContextKind::SuggestedValue, "值"),
        ] {
            if let Some(v) = e.get(kind) {
                s += &format!("\n\n  提示：是否要用{what}{}？", list(v));
            }
        }
        if let (ErrorKind::UnknownArgument, Some(ContextValue::String(arg))) =
            (e.kind(), e.get(ContextKind::InvalidArg))
        {
            if arg.starts_with('-') && e.get(ContextKind::Suggested).is_some() {
                s += &format!(
                    "\n\n  提示：若「{0}」是要给出的值（不是选项），请写成 -- {0}",
                    escape(arg)
                );
            }
        }
        if let Some(ContextValue::StyledStr(usage)) = e.get(ContextKind::Usage) {
            let usage = usage.to_string();
            s += &format!("\n\n用法：{}", usage.strip_prefix("Usage: ").unwrap_or(&usage));
        }
        s += "\n\n详细说明请加 --help 查看。\n";
        s.into()
    }
}

/// The Chinese sentence for the error's kind.
fn message(e: &clap::error::Error<Chinese>) -> String {
    let arg = e.get(ContextKind::InvalidArg).map(list).unwrap_or_default();
    let value = e.get(ContextKind::InvalidValue).map(list).unwrap_or_default();
    let num = |k| match e.get(k) {
        Some(ContextValue::Number(n)) => n.to_string(),
        _ => "?".into(),
    };
    match e.kind() {
        ErrorKind::UnknownArgument => format!("不认识的参数{arg}"),
        ErrorKind::InvalidSubcommand => format!(
            "不认识的命令{}",
            e.get(ContextKind::InvalidSubcommand).map(list).unwrap_or_default()
        ),
        ErrorKind::MissingSubcommand => format!(
            "缺少命令，可用的命令：{}",
            e.get(ContextKind::ValidSubcommand).map(list).unwrap_or_default()
        ),
        ErrorKind::MissingRequiredArgument => format!("缺少必须给出的参数：{arg}"),
        ErrorKind::InvalidValue if value == "「」" => format!("选项{arg}缺少值"),
        ErrorKind::InvalidValue => {
            let choices = e
                .get(ContextKind::ValidValue)
                .map(|v| format!("（可选：{}）", list(v)))
                .unwrap_or_default();
            format!("选项{arg}的值{value}无效{choices}")
        }
        ErrorKind::ValueValidation => format!("选项{arg}的值{value}无效{}", reason(e)),
        ErrorKind::ArgumentConflict => match e.get(ContextKind::PriorArg) {
            Some(prior) if list(prior) != arg => format!("选项{arg}不能与{}同时使用", list(prior)),
            _ => format!("选项{arg}只能给一次"),
        },
        ErrorKind::TooManyValues => format!("选项{arg}多出了值{value}"),
        ErrorKind::TooFewValues => format!(
            "选项{arg}至少要 {} 个值，只给了 {} 个",
            num(ContextKind::MinValues),
            num(ContextKind::ActualNumValues)
        ),
        ErrorKind::WrongNumberOfValues => format!(
            "选项{arg}要 {} 个值，给了 {} 个",
            num(ContextKind::ExpectedNumValues),
            num(ContextKind::ActualNumValues)
        ),
        ErrorKind::NoEquals => {
            format!("选项{arg}的值须用等号给出（如 {}=值）", arg.trim_matches(['「', '」']))
        }
        ErrorKind::InvalidUtf8 => "参数中有无法识别的字符（不是 UTF-8 文字）".into(),
        _ => "命令行参数有误".into(),
    }
}

/// The reason a value parser gave, when it is ours (Chinese); the standard library's number
/// parsers explain in English, which is left out.
fn reason(e: &clap::error::Error<Chinese>) -> String {
    let Some(source) = std::error::Error::source(e) else { return String::new() };
    let text = source.to_string();
    if text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)) {
        format!("：{}", escape(&text))
    } else {
        String::new()
    }
}

/// A context value as 「a」、「b」, escaped (it may echo the command line).
fn list(v: &ContextValue) -> String {
    let quote = |s: &str| format!("「{}」", escape(s));
    match v {
        ContextValue::String(s) => quote(s),
        ContextValue::Strings(v) => v.iter().map(|s| quote(s)).collect::<Vec<_>>().join("、"),
        ContextValue::StyledStr(s) => quote(&s.to_string()),
        ContextValue::StyledStrs(v) => {
            v.iter().map(|s| quote(&s.to_string())).collect::<Vec<_>>().join("、")
        }
        ContextValue::Number(n) => n.to_string(),
        _ => String::new(),
    }
}

/// `--rules`: a shipped scheme by name or a rule file by path. Commands other than evaluation
/// ones give it their own help with `mut_arg("rules", …)` and [`rules_help`].
#[derive(clap::Args, Debug, Clone)]
pub struct RulesOption {
    /// The rules given; `None`: the default of the command ([`RulesOption::source`]).
    #[arg(
        long = "rules",
        value_name = "规则",
        value_parser = Source::parse,
        help = rules_help("规则", Purpose::Evaluation)
    )]
    pub rules: Option<Source>,
}

impl RulesOption {
    /// The rules given, or the default for `purpose` ([`Source::default_for`]).
    pub fn source(&self, purpose: Purpose) -> Source {
        self.rules.clone().unwrap_or_else(|| Source::default_for(purpose))
    }
}

/// The help of `--rules`: `what` the rules are, the shipped names and the default.
pub fn rules_help(what: &str, purpose: Purpose) -> String {
    let d = purpose.default_scheme();
    format!(
        "{what}：内置方案名（{}，见 mujun rules）或规则文件（TOML）的路径（默认：当前文件夹下有 rules/{d}.toml 时用该文件，否则用内置的 {d}）",
        shipped::names_for(purpose)
    )
}

/// What a command reads: the rules, the year's data and what of it to leave out.
#[derive(clap::Args, Debug, Clone)]
pub struct Inputs {
    /// `--rules`.
    #[command(flatten)]
    pub rules: RulesOption,
    /// 数据目录或文件（可多个）
    #[arg(long, value_name = "路径", num_args = 1.., default_value = "samples/2025")]
    pub data: Vec<PathBuf>,
    /// 不读取的文件或工作表（可多次）：文件路径或文件名，或「文件名:工作表名」只排除一个工作表
    #[arg(long, value_name = "文件或工作表")]
    pub exclude: Vec<String>,
}

impl Inputs {
    /// Read and type the year's data ([`ingest::load_with`]).
    pub fn read(&self) -> Result<ingest::Dataset, ingest::IngestError> {
        ingest::load_with(&self.data, &ingest::LoadOptions { exclude: self.exclude.clone() })
    }
}

/// `--out`: the folder a command's outputs are published into.
#[derive(clap::Args, Debug, Clone)]
pub struct Output {
    /// 输出目录
    #[arg(long, value_name = "目录", default_value = "out")]
    pub out: PathBuf,
}

/// A whole-number option's value parser, with a Chinese reason (the standard library's is English).
pub fn integer<T: std::str::FromStr>(s: &str) -> Result<T, String> {
    s.trim().parse().map_err(|_| {
        if s.trim().parse::<i128>().is_ok() {
            "超出允许的范围".to_string()
        } else {
            "应为整数".to_string()
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_well_formed() {
        command().debug_assert();
    }

    /// clap names a value after its field in English capitals (`<RULES>`): each needs a Chinese name.
    #[test]
    fn every_value_has_a_chinese_name() {
        fn check(cmd: &clap::Command) {
            for a in cmd.get_arguments().filter(|a| a.get_action().takes_values()) {
                let names = a.get_value_names().unwrap_or_default();
                assert!(
                    !names.is_empty() && names.iter().all(|n| !n.is_ascii()),
                    "{} {}: {names:?}",
                    cmd.get_name(),
                    a.get_id()
                );
            }
            cmd.get_subcommands().for_each(check);
        }
        check(&command());
    }

    #[test]
    fn whole_numbers_explain_in_chinese() {
        assert_eq!(integer::<usize>(" 590 "), Ok(590));
        assert_eq!(integer::<usize>("5.5"), Err("应为整数".to_string()));
        assert_eq!(integer::<usize>("-1"), Err("超出允许的范围".to_string()));
    }
}
