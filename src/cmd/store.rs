//! `mujun store`: the year store's integrity check and online backup; and `--store` /
//! `--no-store`, the store every command uses.

use std::path::{Path, PathBuf};

use crate::store::{Store, DEFAULT_PATH};

/// `--store` and `--no-store`, accepted by every command.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct StoreOption {
    /// 评价数据库文件（默认：环境变量 MUJUN_STORE，否则当前文件夹下的 mujun.db）
    #[arg(long, global = true, value_name = "文件")]
    pub store: Option<PathBuf>,
    /// 不使用评价数据库：不记录本次评价，也不从中读取上年结果
    #[arg(long, global = true, conflicts_with = "store")]
    pub no_store: bool,
}

impl StoreOption {
    /// The store file to use, or None with `--no-store`: `--store`, else `MUJUN_STORE`, else
    /// `mujun.db` in the working folder.
    pub fn path(&self) -> Option<PathBuf> {
        if self.no_store {
            return None;
        }
        let env = std::env::var_os("MUJUN_STORE").filter(|v| !v.is_empty()).map(PathBuf::from);
        Some(self.store.clone().or(env).unwrap_or_else(|| PathBuf::from(DEFAULT_PATH)))
    }

    /// The store for a command that needs one; `--no-store` is an error there.
    pub fn require(&self) -> Result<PathBuf, crate::Error> {
        self.path().ok_or(crate::Error::Store(crate::store::StoreError::Refused(
            "该命令需要评价数据库，不能与 --no-store 同用".into(),
        )))
    }
}

/// `mujun store`'s options.
#[derive(clap::Args, Debug)]
#[command(help_template = super::HELP_TEMPLATE, next_help_heading = "选项")]
pub struct Args {
    /// What to do with the store.
    #[command(subcommand)]
    pub action: Action,
}

/// `mujun store check | backup`.
#[derive(clap::Subcommand, Debug)]
pub enum Action {
    /// 检查数据库：SQLite 完整性、外键，以及每次评价记录的结果行数
    Check,
    /// 在线备份数据库到一个新文件（其他程序读取时也可备份）；目标文件已存在时不覆盖
    Backup {
        /// 备份文件
        #[arg(value_name = "文件")]
        file: PathBuf,
    },
}

/// Run `mujun store`.
pub fn run(a: &Args, opt: &StoreOption) -> Result<(), crate::Error> {
    let path = opt.require()?;
    let store = Store::open_existing(&path)?;
    match &a.action {
        Action::Check => check(&store),
        Action::Backup { file } => backup(&store, file),
    }
}

fn check(store: &Store) -> Result<(), crate::Error> {
    let r = store.check()?;
    crate::outln!("数据库：{}（结构版本 {}）", store.path().display(), store.version()?);
    let intact = r.integrity == ["ok"];
    crate::outln!("完整性：{}", if intact { "完好".to_string() } else { r.integrity.join("；") });
    crate::outln!(
        "外键：{}",
        if r.foreign_key_faults == 0 {
            "完好".into()
        } else {
            format!("{} 处指向不存在的记录", r.foreign_key_faults)
        }
    );
    let mut bad = 0;
    for (id, rows, counted) in &r.runs {
        let ok = rows == counted;
        bad += usize::from(!ok);
        let mark = if ok { "一致" } else { "不一致" };
        crate::outln!("  第 {id} 号评价：结果 {rows} 行，记录的企业数 {counted}，{mark}");
    }
    if intact && r.foreign_key_faults == 0 && bad == 0 {
        crate::outln!("检查通过。");
        Ok(())
    } else {
        Err(crate::store::StoreError::Refused(format!(
            "数据库 {} 检查未通过",
            store.path().display()
        ))
        .into())
    }
}

fn backup(store: &Store, file: &Path) -> Result<(), crate::Error> {
    if file.exists() {
        let m = format!("备份文件 {} 已存在，未覆盖；请换一个文件名", file.display());
        return Err(crate::store::StoreError::Refused(m).into());
    }
    store.backup(file)?;
    crate::outln!("已备份到：{}", file.display());
    Ok(())
}
