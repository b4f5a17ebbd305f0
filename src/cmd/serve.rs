//! `mujun serve`: start the workbench (a web server for the bureau, the parks and the land
//! bureau) on the year store. The server itself is [`crate::serve`].

use std::net::SocketAddr;

use crate::serve::{Config, Limits};

/// `mujun serve`'s options.
#[derive(clap::Args, Debug)]
#[command(help_template = super::HELP_TEMPLATE, next_help_heading = "选项")]
pub struct Args {
    /// 监听地址（默认只接受本机访问；给其他电脑用时写 0.0.0.0:8080，并按说明放在 HTTPS 反向代理之后）
    #[arg(long, value_name = "地址", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// 经 HTTPS 反向代理提供服务：会话 Cookie 加 Secure 标记，只经 HTTPS 发送；登录限制按代理在 X-Forwarded-For 中最后添加的客户端地址计数（不加此项时忽略该请求头）
    #[arg(long)]
    pub behind_https: bool,
    /// 单个上传文件的大小上限（MB）
    #[arg(long, value_name = "兆字节", default_value_t = Limits::default().file_mb)]
    pub max_upload_mb: u64,
    /// 一次评价最多上传的文件数
    #[arg(long, value_name = "个", default_value_t = Limits::default().files)]
    pub max_files: usize,
}

/// Start the workbench and serve until interrupted (Ctrl+C).
pub fn run(a: &Args, store: &super::store::StoreOption) -> Result<(), crate::Error> {
    let limits = Limits { file_mb: a.max_upload_mb, files: a.max_files, ..Limits::default() };
    let config = Config {
        listen: a.listen,
        store: store.require()?,
        secure_cookies: a.behind_https,
        behind_proxy: a.behind_https,
        limits,
    };
    crate::serve::run(config).map_err(crate::Error::from)
}
