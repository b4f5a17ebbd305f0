//! `mujun store`: the year store's integrity check, online backup and the import of earlier
//! years' results; and `--store` /
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
    /// 导入历年结果：把本程序以前输出的全区结果工作簿或结果 CSV 作为该年度的定稿评价记入数据库（每个文件一次评价）
    Import(ImportArgs),
}

/// `mujun store import`'s options.
#[derive(clap::Args, Debug)]
#[command(help_template = super::HELP_TEMPLATE, next_help_heading = "选项")]
pub struct ImportArgs {
    /// 全区结果工作簿（…评价结果.xlsx）或结果 CSV（…评价结果.csv），可以多个；年度取自工作簿的“规则”工作表或 CSV 的 year 列
    #[arg(value_name = "文件", required = true)]
    pub files: Vec<PathBuf>,
    /// 规则方案名称（规则文件 [meta] name，如 mujun runs 所列）：导入结果 CSV 时必填（CSV 中没有方案名称）；结果工作簿默认取其“规则”工作表的名称，写了须与之相同
    #[arg(long, value_name = "名称")]
    pub scheme: Option<String>,
    /// 该年度的数据文件或目录：企业名录和用地从这里记入数据库（只能与一个结果文件同用）
    #[arg(long, value_name = "文件或目录", num_args = 1..)]
    pub data: Vec<PathBuf>,
}

/// Run `mujun store`.
pub fn run(a: &Args, opt: &StoreOption) -> Result<(), crate::Error> {
    let path = opt.require()?;
    match &a.action {
        Action::Check => check(&Store::open_existing(&path)?),
        Action::Backup { file } => backup(&Store::open_existing(&path)?, file),
        Action::Import(i) => import(&path, i),
    }
}

/// Read every file first (nothing is recorded when one cannot be read), then record them all
/// in one transaction.
fn import(path: &Path, a: &ImportArgs) -> Result<(), crate::Error> {
    let scheme = a.scheme.as_deref().map(str::trim);
    if scheme == Some("") {
        return Err(refused("--scheme 不能为空：请写规则方案的名称".into()));
    }
    if !a.data.is_empty() && a.files.len() > 1 {
        return Err(refused("--data 只能与一个结果文件同用（每个年度的数据各自导入）".into()));
    }
    let data = match a.data.is_empty() {
        true => None,
        false => Some(crate::ingest::load(&a.data)?),
    };
    let mut runs = Vec::with_capacity(a.files.len());
    for f in &a.files {
        let run = crate::store::imported_run(f, scheme, data.as_ref())?;
        runs.push((run, f.display().to_string()));
    }
    let mut store = Store::open(path)?;
    let ids = store.import_runs(&runs)?;
    for (id, (run, file)) in ids.iter().zip(&runs) {
        crate::outln!(
            "已导入 {}：第 {id} 号评价，{}年度「{}」定稿，参评 {} 家，未参评 {} 家{}",
            crate::console::escape(file),
            run.year,
            crate::console::escape(&run.scheme),
            run.evaluated,
            run.not_evaluated,
            if data.is_some() {
                format!("，企业名录 {} 家、用地 {} 条", run.register.len(), run.parcels.len())
            } else {
                String::new()
            }
        );
    }
    Ok(())
}

fn refused(message: String) -> crate::Error {
    crate::store::StoreError::Refused(message).into()
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
