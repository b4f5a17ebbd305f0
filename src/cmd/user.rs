//! `mujun user`: the workbench's users, managed from the shell — add (with a role, a 园区 user
//! with its park), list, disable, change a password. A password is read without echo from the
//! terminal (twice), or with `--password-stdin` as the first line of standard input (scripts).

use std::io::IsTerminal;

use crate::store::{local_time, Role, Store, StoreError, User};

/// `mujun user`'s options.
#[derive(clap::Args, Debug)]
#[command(help_template = super::HELP_TEMPLATE, next_help_heading = "选项")]
pub struct Args {
    /// What to do.
    #[command(subcommand)]
    pub action: Action,
}

/// `mujun user add | list | disable | passwd`.
#[derive(clap::Subcommand, Debug)]
pub enum Action {
    /// 添加用户：用户名、角色（经信委、园区、自然资源、只读），园区用户须写所属园区
    Add {
        /// 用户名（登录用）
        #[arg(value_name = "用户名")]
        name: String,
        /// 角色：经信委、园区、自然资源 或 只读
        #[arg(long, value_name = "角色")]
        role: String,
        /// 所属园区（仅园区用户，如 涪陵高新区）
        #[arg(long, value_name = "园区")]
        park: Option<String>,
        /// 从标准输入的第一行读取密码（供脚本使用）
        #[arg(long)]
        password_stdin: bool,
    },
    /// 列出用户：用户名、角色、所属园区、状态
    List,
    /// 停用用户：不能再登录（操作记录中仍保留）
    Disable {
        /// 用户名
        #[arg(value_name = "用户名")]
        name: String,
    },
    /// 修改密码
    Passwd {
        /// 用户名
        #[arg(value_name = "用户名")]
        name: String,
        /// 从标准输入的第一行读取密码（供脚本使用）
        #[arg(long)]
        password_stdin: bool,
    },
}

/// Run `mujun user`.
pub fn run(a: &Args, opt: &super::store::StoreOption) -> Result<(), crate::Error> {
    let path = opt.require()?;
    let by = crate::store::current_user();
    match &a.action {
        Action::Add { name, role, park, password_stdin } => {
            let user = new_user(name, role, park.as_deref())?;
            let mut store = Store::open(&path)?;
            let hash = password(*password_stdin)?;
            store.add_user(&user, &hash, &by)?;
            crate::outln!("已添加用户「{}」：{}", esc(&user.name), describe(&user));
        }
        Action::List => list(&Store::open_existing(&path)?)?,
        Action::Disable { name } => {
            Store::open_existing(&path)?.disable_user(name, &by)?;
            crate::outln!("已停用用户「{}」", esc(name));
        }
        Action::Passwd { name, password_stdin } => {
            let mut store = Store::open_existing(&path)?;
            if !store.users()?.iter().any(|u| u.name == *name) {
                return Err(refused(format!("没有用户「{name}」（mujun user list 列出全部用户）")));
            }
            let hash = password(*password_stdin)?;
            store.set_password(name, &hash, &by)?;
            crate::outln!("已修改用户「{}」的密码", esc(name));
        }
    }
    Ok(())
}

fn esc(s: &str) -> std::borrow::Cow<'_, str> {
    crate::console::escape(s)
}

fn refused(message: String) -> crate::Error {
    StoreError::Refused(message).into()
}

/// The user to add, checked: a name without spaces or control characters, a known role.
fn new_user(name: &str, role: &str, park: Option<&str>) -> Result<User, crate::Error> {
    let name = name.trim();
    if name.is_empty() || name.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(refused("用户名不能为空，也不能含空格或控制字符".into()));
    }
    let Some(role) = Role::parse(role) else {
        let all: Vec<&str> = Role::ALL.iter().map(|r| r.label()).collect();
        return Err(refused(format!("没有角色「{role}」：可选 {}", all.join("、"))));
    };
    let park = park.map(str::trim).filter(|p| !p.is_empty()).map(str::to_string);
    let now = crate::store::now();
    Ok(User {
        name: name.to_string(),
        role,
        park,
        disabled: false,
        created_at: now.clone(),
        changed_at: now,
    })
}

/// The new password's hash: from the first line of stdin, or typed twice without echo.
fn password(from_stdin: bool) -> Result<String, crate::Error> {
    let typed = if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .map_err(|e| refused(format!("无法读取标准输入：{}", crate::zh::io_error(&e))))?;
        line.trim_end_matches(['\r', '\n']).to_string()
    } else {
        if !std::io::stdin().is_terminal() {
            return Err(refused("没有终端可输入密码：脚本中请用 --password-stdin".into()));
        }
        let ask = |prompt: &str| {
            rpassword::prompt_password(prompt)
                .map_err(|e| refused(format!("无法读取密码：{}", crate::zh::io_error(&e))))
        };
        let (first, again) = (ask("密码：")?, ask("再输入一次：")?);
        if first != again {
            return Err(refused("两次输入的密码不同，未作改动".into()));
        }
        first
    };
    if let Some(why) = crate::password::weakness(&typed) {
        return Err(refused(format!("{why}，未作改动")));
    }
    crate::password::hash(&typed).map_err(refused)
}

fn describe(u: &User) -> String {
    match &u.park {
        Some(p) => format!("{}（{}）", u.role.label(), esc(p)),
        None => u.role.label().to_string(),
    }
}

fn list(store: &Store) -> Result<(), crate::Error> {
    let users = store.users()?;
    if users.is_empty() {
        crate::outln!("数据库中还没有用户（mujun user add 添加）。");
    }
    for u in &users {
        let state = if u.disabled { "已停用" } else { "启用" };
        crate::outln!(
            "{}  {}  {state}  添加于 {}",
            esc(&u.name),
            describe(u),
            local_time(&u.created_at)
        );
    }
    Ok(())
}
