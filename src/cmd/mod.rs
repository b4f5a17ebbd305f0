//! One module per subcommand: arguments (clap, Chinese help) and the console side of the work.
//! Everything they print goes through [`crate::outln`] / [`crate::errln`] (escaped, quiet on a
//! closed pipe); the lint below catches a stray `println!`.
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod args;
pub mod check;
pub mod confirm;
pub mod diff;
pub mod evaluate;
pub mod explain;
pub mod export;
pub mod history;
pub mod land;
pub mod objections;
pub mod rules;
pub mod runs;
pub mod sample;
pub mod serve;
pub mod store;
pub mod template;
pub mod user;

use clap::{Parser, Subcommand};

/// The command line: one subcommand, help and version in Chinese.
#[derive(Parser, Debug)]
#[command(
    name = "mujun",
    version,
    about = "亩均效益综合评价引擎：按规则文件对工业企业计分、排名、分档并输出 Excel 结果",
    disable_help_subcommand = true,
    disable_help_flag = true,
    disable_version_flag = true,
    help_template = HELP_TEMPLATE,
    subcommand_help_heading = "命令",
    subcommand_value_name = "命令",
    next_help_heading = "选项"
)]
pub struct Cli {
    /// 显示帮助
    #[arg(short = 'h', long = "help", action = clap::ArgAction::Help, global = true)]
    pub help: Option<bool>,
    /// 显示版本
    #[arg(short = 'V', long = "version", action = clap::ArgAction::Version)]
    pub version: Option<bool>,
    /// `--store`, `--no-store`.
    #[command(flatten)]
    pub store: store::StoreOption,
    /// The subcommand to run.
    #[command(subcommand)]
    pub command: Command,
}

/// Chinese help layout (clap's default headings are English).
pub const HELP_TEMPLATE: &str = "{about}\n\n用法：{usage}\n\n{all-args}";

/// The subcommands; each variant's doc line is its Chinese summary in `mujun --help`.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// 评价：读取一个年度的数据，按规则文件计分、排名、分档，写出结果工作簿
    Evaluate(evaluate::Args),
    /// 检查：只检查数据和规则、不计分，写出问题清单；有错误时以非零退出
    Check(check::Args),
    /// 一企一单：评价前每家企业一页（或几页）的数据确认单，列出每个数值的来源文件、工作表、行和报送部门，按园区各一个工作簿
    Confirm(confirm::Args),
    /// 模板：生成各输入表的空白 Excel 模板（标准表头、下拉列表、填表说明）
    Template(template::Args),
    /// 评价明细：显示一家企业各指标的值、基准值、权重和得分，距上一档的差距和最能提分的指标
    Explain(explain::Args),
    /// 示例数据：按随机种子生成涪陵三个园区一个年度的示例输入表（结果可重复）
    Sample(sample::Args),
    /// 土地核查：标准地达标情况、违约金测算、闲置土地和企业用地台账（自然资源部门用）
    Land(land::Args),
    /// 规则方案：列出程序内置的规则方案；rules write 写出一个方案的规则文件，供修改后用 --rules 选用
    Rules(rules::Args),
    /// 评价记录：列出数据库中记录的各次评价；runs notice 编号 --from 日期 --to 日期 公示；runs finalize 编号 定稿
    Runs(runs::Args),
    /// 企业历年：一家企业在数据库中各年度的等级、总分、排名、亩均指标、用地和名称园区变化
    History(history::Args),
    /// 导出：把数据库中一次评价的输出文件原样写出到一个新目录（与当时 evaluate 写出的逐字节相同）
    Export(export::Args),
    /// 异议：objections import 文件 --run 编号 记入公示期间收到的异议；objections list --run 编号 列出
    Objections(objections::Args),
    /// 复核对比：两次评价（数据库中的编号或结果 CSV）之间总分、名次或等级有变化的企业，逐家说明原因
    Diff(diff::Args),
    /// 数据库：store check 检查完整性和各次评价的行数；store backup 文件 在线备份；store import 文件… 导入历年结果工作簿或 CSV 作为定稿
    Store(store::Args),
    /// 工作台：在浏览器中上传数据、检查、评价、查看和下载结果（经信委、园区、自然资源部门按角色使用）
    Serve(serve::Args),
    /// 用户：工作台的用户——user add 用户名 --role 角色 [--park 园区]、user list、user disable、user passwd
    User(user::Args),
    /// 帮助：显示总的帮助，或一个命令的帮助（如 mujun help evaluate）
    Help(HelpArgs),
}

/// `mujun help [命令]`; handled while parsing ([`args::parse`]).
#[derive(clap::Args, Debug)]
#[command(help_template = HELP_TEMPLATE, next_help_heading = "选项")]
pub struct HelpArgs {
    /// 要显示帮助的命令（如 evaluate），不填则显示总的帮助
    #[arg(value_name = "命令")]
    pub command: Option<String>,
}

/// Run the parsed command.
pub fn run(cli: Cli) -> Result<(), crate::Error> {
    match cli.command {
        Command::Evaluate(a) => evaluate::run(&a, &cli.store),
        Command::Check(a) => check::run(&a),
        Command::Template(a) => template::run(&a),
        Command::Explain(a) => explain::run(&a),
        Command::Sample(a) => sample::run(&a),
        Command::Land(a) => land::run(&a),
        Command::Rules(a) => rules::run(&a),
        Command::Runs(a) => runs::run(&a, &cli.store),
        Command::History(a) => history::run(&a, &cli.store),
        Command::Export(a) => export::run(&a, &cli.store),
        Command::Diff(a) => diff::run(&a, &cli.store),
        Command::Confirm(a) => confirm::run(&a),
        Command::Objections(a) => objections::run(&a, &cli.store),
        Command::Store(a) => store::run(&a, &cli.store),
        Command::User(a) => user::run(&a, &cli.store),
        Command::Serve(a) => serve::run(&a, &cli.store),
        // Printed and exited by `args::parse`; a `Cli` built otherwise has nothing to run.
        Command::Help(_) => Ok(()),
    }
}
