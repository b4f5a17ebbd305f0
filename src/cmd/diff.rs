//! `mujun diff 原评价 新评价 [--out 目录]`: which firms' total, rank or tier differ between two
//! runs of one scheme, each with its causes (see [`crate::review::diff`]); the summary and every
//! listed firm printed, and with `--out` written as the 复核对比 workbook.

use std::path::{Path, PathBuf};

use crate::report::review::{self, Compared};
use crate::review::diff::{self, DiffError, Side};
use crate::rules::IndicatorLabel;
use crate::store::Store;

/// `mujun diff`'s options.
#[derive(clap::Args, Debug)]
#[command(help_template = super::HELP_TEMPLATE, next_help_heading = "选项")]
pub struct Args {
    /// 原评价：数据库中的评价记录编号（见 mujun runs），或一个评价结果 CSV 文件
    #[arg(value_name = "原评价")]
    pub before: String,
    /// 新评价：同上
    #[arg(value_name = "新评价")]
    pub after: String,
    /// 把对比写成工作簿「复核对比.xlsx」放在此目录
    #[arg(long, value_name = "目录")]
    pub out: Option<PathBuf>,
}

/// One side as read: its name, scheme (runs of the store) and results, and indicator names.
struct Loaded {
    name: String,
    scheme: Option<String>,
    year: i32,
    side: Side,
    labels: Vec<IndicatorLabel>,
}

fn load(what: &str, opt: &super::store::StoreOption) -> Result<Loaded, crate::Error> {
    if let Ok(id) = what.trim().parse::<i64>() {
        let store = Store::open_existing(&opt.require()?)?;
        let run = store.run(id)?;
        let name = format!("第 {id} 号评价（{}年度「{}」，{}）", run.year, run.scheme, run.status);
        let side = Side::read(&name, &store.results_csv(id)?)?;
        let labels = crate::rules::indicator_labels(&store.rules_text(id)?).unwrap_or_default();
        return Ok(Loaded { name, scheme: Some(run.scheme), year: run.year, side, labels });
    }
    let path = Path::new(what);
    let bytes = std::fs::read(path).map_err(|e| DiffError::Read {
        path: path.display().to_string(),
        detail: crate::zh::io_error(&e),
    })?;
    let name = path.display().to_string();
    let side = Side::read(&name, &bytes)?;
    Ok(Loaded { name, scheme: None, year: 0, side, labels: Vec::new() })
}

/// Run `mujun diff`.
pub fn run(a: &Args, opt: &super::store::StoreOption) -> Result<(), crate::Error> {
    let (x, y) = (load(&a.before, opt)?, load(&a.after, opt)?);
    if let (Some(s), Some(t)) = (&x.scheme, &y.scheme) {
        if s != t {
            let (a, b) = (s.clone(), t.clone());
            return Err(DiffError::Schemes { a, b }.into());
        }
    }
    let labels = if y.labels.is_empty() { &x.labels } else { &y.labels };
    let d = diff::compare(&x.side, &y.side, labels);
    let esc = |s: &str| crate::console::escape(s).into_owned();
    crate::outln!("复核对比：{} → {}", esc(&x.name), esc(&y.name));
    for (label, n) in review::summary(&d) {
        crate::outln!("  {label}：{n} 家");
    }
    for c in &d.changes {
        crate::outln!("{} {}（{}，{}）", c.code, esc(&c.name), esc(&c.park), esc(&c.group));
        crate::outln!("    {}", standing_line(c));
        for cause in &c.causes {
            let name = diff::CAUSE_NAMES[cause.number() - 1];
            crate::outln!("    （{}）{name}：{}", cause.number(), esc(&review::explain(cause)));
        }
    }
    if let Some(dir) = &a.out {
        let path = write(dir, &x.name, &y.name, y.year.max(x.year), &d)?;
        crate::outln!("对比工作簿：{}", path.display());
    }
    Ok(())
}

fn standing_line(c: &diff::Change) -> String {
    let show = |s: &Option<diff::Standing>| match s {
        Some(s) => format!("总分 {}，名次 {}/{}，{} 档", s.total, s.rank, s.population, s.tier),
        None => "未参评".into(),
    };
    format!("{} → {}", show(&c.before), show(&c.after))
}

fn write(dir: &Path, a: &str, b: &str, year: i32, d: &diff::Diff) -> Result<PathBuf, crate::Error> {
    crate::sheet::create_dir(dir)?;
    let path = dir.join("复核对比.xlsx");
    let book = crate::sheet::Book { path: &path, title: review::NAME, year };
    let c = Compared { runs: (a.to_string(), b.to_string()), diff: d.clone() };
    let sheets: &[crate::sheet::Sheet<()>] = &[(review::NAME, ())];
    crate::sheet::write_book(&book, sheets, |_, wb, fmt| review::write(&c, wb, fmt))?;
    Ok(path)
}
