// mimalloc reuses freed memory instead of returning it to the system and faulting in fresh
// zeroed pages; at a province's size that churn was a sixth of `check`'s time. Built with
// `no_thp`: with transparent huge pages each fault zeroed 2 MiB, and `check` spent a third of
// its time in the kernel doing so.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    mujun::guard::install_panic_hook();
    mujun::guard::silence_library_warnings();
    let cli = mujun::cmd::args::parse();
    if let Err(e) = mujun::cmd::run(cli) {
        mujun::errln!("错误：{e}");
        std::process::exit(e.exit_code());
    }
}
