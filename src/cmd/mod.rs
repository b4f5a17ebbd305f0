//! One module per subcommand: arguments (clap, Chinese help) and the console side of the work.

pub mod check;
pub mod evaluate;
// TEMP pub mod sample;

use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(name = "mujun", version, about = "亩均效益综合评价引擎：按规则文件对工业企业计分、排名、分档并输出 Excel 结果", disable_help_subcommand = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// 评价：读取一个年度的数据，按规则文件计分、排名、分档，写出结果工作簿
    Evaluate(evaluate::Args),
    /// 检查：只检查数据和规则、不计分，写出问题清单；有错误时以非零退出
    Check(check::Args),
}

pub fn run(cli: Cli) -> Result<(), crate::Error> {
    match cli.command {
        Command::Evaluate(a) => evaluate::run(&a),
        Command::Check(a) => check::run(&a),
    }
}
