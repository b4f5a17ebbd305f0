//! `mujun rules`: list the rule schemes shipped inside the binary; `mujun rules write 方案名`
//! writes one (with the files it needs) into a folder for editing.

use std::path::PathBuf;

use crate::rules::shipped::{self, Scheme};

/// `mujun rules [write …]`.
#[derive(clap::Args, Debug)]
#[command(
    help_template = super::HELP_TEMPLATE,
    next_help_heading = "选项",
    subcommand_help_heading = "命令",
    subcommand_value_name = "命令",
    disable_help_subcommand = true
)]
pub struct Args {
    /// What to do; none: list the schemes.
    #[command(subcommand)]
    pub action: Option<Action>,
}

/// The subcommands of `mujun rules`.
#[derive(clap::Subcommand, Debug)]
pub enum Action {
    /// 写出：把一个内置方案的规则文件（及其用到的文件）写到文件夹中，不覆盖已有文件
    Write(WriteArgs),
}

/// `mujun rules write 方案名 [--out 目录]`.
#[derive(clap::Args, Debug)]
#[command(help_template = super::HELP_TEMPLATE, next_help_heading = "选项")]
pub struct WriteArgs {
    /// 内置方案名（如 fuling；mujun rules 列出各方案）
    #[arg(value_name = "方案名", value_parser = shipped::scheme)]
    pub scheme: &'static Scheme,
    /// 写入的文件夹，没有则新建（默认：当前文件夹）
    #[arg(long, value_name = "目录")]
    pub out: Option<PathBuf>,
}

/// List the schemes, or write one out.
pub fn run(a: &Args) -> Result<(), crate::Error> {
    match &a.action {
        None => {
            list();
            Ok(())
        }
        Some(Action::Write(w)) => write(w),
    }
}

/// One line per scheme: name, what it is for, title.
fn list() {
    crate::outln!("程序内置的规则方案（用 --rules 方案名 选用）：");
    let width = shipped::SCHEMES.iter().map(|s| s.name.len()).max().unwrap_or(0);
    for s in shipped::SCHEMES {
        let purpose = s.purpose.label();
        // Padded by display width: a CJK character takes two terminal columns.
        let pad = 10usize.saturating_sub(crate::sheet::table::text_width(purpose));
        crate::outln!("  {:<width$}  {purpose}{:pad$}{}", s.name, "", s.title());
    }
    crate::outln!(
        "写出一个方案供修改：mujun rules write 方案名 [--out 目录]，改后用 --rules 文件路径 选用"
    );
}

fn write(w: &WriteArgs) -> Result<(), crate::Error> {
    let dir = w.out.clone().unwrap_or_else(|| PathBuf::from("."));
    let written = shipped::write_out(w.scheme, &dir)?;
    crate::outln!("已写出规则方案「{}」：", w.scheme.name);
    for p in &written {
        crate::outln!("  {}", p.display());
    }
    if let Some(main) = written.first() {
        crate::outln!("修改后用 --rules {} 选用。", main.display());
    }
    Ok(())
}
