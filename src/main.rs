use clap::Parser;

fn main() {
    let cli = mujun::cmd::Cli::parse();
    if let Err(e) = mujun::cmd::run(cli) {
        eprintln!("错误：{e}");
        std::process::exit(e.exit_code());
    }
}
