//! Deterministic sample year generator (`mujun sample`).
//!
//! Writes one file per input table (企业名录, 用地, 税收, 产出, 能耗, 加减分事项, 调档, and the land
//! bureau's 标准地 for `mujun land`) in CSV or xlsx, for a synthetic population of Fuling industrial enterprises. The same
//! [`SampleOptions`] always give byte-identical files: every random draw comes from
//! ChaCha8 streams seeded by `seed`, nothing iterates a hash map, and xlsx files carry a
//! fixed creation time.
//!
//! Only the enterprise list (about 80 bytes per enterprise) and its land parcels are held in
//! memory; the rows of every table are derived from them and streamed to disk.
//!
//! Consecutive years of the same enterprises ([`SampleOptions::first_year`]) are written one
//! folder per year. The latest year is the single year, byte for byte; each earlier year is
//! derived from the year after it ([`model::World::previous`]), so that adding earlier years never
//! changes a later one.

mod model;
mod sink;
mod std_land;
mod vocab;

#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use model::World;
use sink::Sink;

/// Output file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SampleFormat {
    /// One `<table>.csv` per table, UTF-8 (`mujun sample --format csv`, the default).
    Csv,
    /// One single-sheet `<table>.xlsx` workbook per table (`--format xlsx`); a table over Excel's
    /// 1,048,576 rows fails.
    Xlsx,
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct SampleOptions {
    /// Number of enterprises (about 32 % 规上, the rest 规下).
    pub enterprises: usize,
    /// Random seed; the same seed gives the same files.
    pub seed: u64,
    /// File format of every table (`--format`).
    pub format: SampleFormat,
    /// Output directory (created if missing).
    pub out: PathBuf,
    /// Evaluation year; with `first_year`, the latest of the consecutive years.
    pub year: i32,
    /// Consecutive years `first_year..=year` of the same enterprises, one folder per year
    /// (`<out>/<year>/`); `None` writes the one year straight into `out`. The latest year's
    /// files are byte-identical to the single year's.
    pub first_year: Option<i32>,
}

/// Why generation failed.
#[derive(Debug, thiserror::Error)]
pub enum SampleError {
    /// The options are out of range (no enterprises, more than 50,000,000, or a year outside
    /// [`YEAR_RANGE`]); the text says which, in Chinese.
    #[error("示例数据参数无效：{0}")]
    InvalidOptions(String),
    /// The output directory could not be created.
    #[error("无法创建输出目录「{}」：{}", .path.display(), crate::zh::io_error(.source))]
    CreateDir {
        /// The output directory (`--out`).
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// A CSV file could not be created or written.
    #[error("写入文件「{}」失败：{}", .path.display(), crate::zh::io_error(.source))]
    Io {
        /// The CSV file.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// An xlsx workbook could not be created or saved.
    #[error("生成 Excel 文件「{}」失败：{}", .path.display(), crate::zh::xlsx_error(.source))]
    Xlsx {
        /// The workbook file.
        path: PathBuf,
        /// The workbook writer's error.
        source: rust_xlsxwriter::XlsxError,
    },
    /// A table has more rows than an Excel sheet holds (xlsx only).
    #[error("表「{table}」超过 Excel 工作表 1048576 行的上限（文件「{}」），请减少企业数或改用 csv 格式", .path.display())]
    TooManyRows {
        /// The workbook file.
        path: PathBuf,
        /// The table's name, one of [`TABLES`].
        table: &'static str,
    },
}

/// Table names, in the order files are written.
pub const TABLES: [&str; 8] =
    ["企业名录", "用地", "税收", "产出", "能耗", "加减分事项", "调档", "标准地"];

/// Column headers of 企业名录.csv/xlsx, the enterprise register (dates `YYYY-MM-DD`).
pub const HEADERS_REGISTER: [&str; 8] = [
    "统一社会信用代码",
    "企业名称",
    "所属园区",
    "所属乡镇街道",
    "行业代码",
    "企业规模",
    "成立日期",
    "投产日期",
];
/// Column headers of 用地, one row per land parcel an enterprise owns, leases in or leases out.
pub const HEADERS_LAND: [&str; 6] = [
    "统一社会信用代码",
    "不动产权证号",
    "用地方式",
    "用地面积(亩)",
    "对方统一社会信用代码",
    "供地日期",
];
/// Column headers of 税收, one row per enterprise and tax type.
pub const HEADERS_TAX: [&str; 3] = ["统一社会信用代码", "税种", "实缴税额(万元)"];
/// Column headers of 产出, the enterprise's yearly output, revenue, value added, profit, R&D and
/// staff.
pub const HEADERS_OUTPUT: [&str; 7] = [
    "统一社会信用代码",
    "工业总产值(万元)",
    "营业收入(万元)",
    "工业增加值(万元)",
    "利润总额(万元)",
    "研发经费支出(万元)",
    "年平均职工人数(人)",
];
/// Column headers of 能耗, the enterprise's energy, electricity and pollutant emissions.
pub const HEADERS_ENERGY: [&str; 7] = [
    "统一社会信用代码",
    "综合能耗(吨标准煤)",
    "用电量(万千瓦时)",
    "化学需氧量(吨)",
    "二氧化硫(吨)",
    "氨氮(吨)",
    "氮氧化物(吨)",
];
/// Column headers of 加减分事项, the bonus, deduction, veto and downgrade events.
pub const HEADERS_EVENTS: [&str; 4] = ["统一社会信用代码", "事项", "日期", "说明"];
/// Column headers of 调档, the manual tier adjustments (调整后等级 is a tier label).
pub const HEADERS_ADJUST: [&str; 3] = ["统一社会信用代码", "调整后等级", "理由"];
pub use std_land::HEADERS_STD_LAND;

/// Smallest and largest accepted evaluation year.
pub const YEAR_RANGE: (i32, i32) = (2000, 2100);

/// Generate the sample year; returns the files written, in [`TABLES`] order.
pub fn generate(opts: &SampleOptions) -> Result<Vec<PathBuf>, SampleError> {
    if opts.enterprises == 0 {
        return Err(SampleError::InvalidOptions("企业数必须至少为1".into()));
    }
    if opts.enterprises > 50_000_000 {
        return Err(SampleError::InvalidOptions(format!(
            "企业数{}过大（上限50000000）",
            opts.enterprises
        )));
    }
    if opts.year < YEAR_RANGE.0 || opts.year > YEAR_RANGE.1 {
        return Err(SampleError::InvalidOptions(format!(
            "评价年度{}超出范围（{}–{}）",
            opts.year, YEAR_RANGE.0, YEAR_RANGE.1
        )));
    }
    if let Some(first) = opts.first_year {
        if first > opts.year || first < YEAR_RANGE.0 {
            return Err(SampleError::InvalidOptions(format!(
                "起始年度{first}应在{}至评价年度{}之间",
                YEAR_RANGE.0, opts.year
            )));
        }
        if opts.year - first + 1 > MAX_YEARS {
            return Err(SampleError::InvalidOptions(format!(
                "连续年度{first}–{}共{}年，超过上限{MAX_YEARS}年",
                opts.year,
                opts.year - first + 1
            )));
        }
    }
    std::fs::create_dir_all(&opts.out)
        .map_err(|source| SampleError::CreateDir { path: opts.out.clone(), source })?;

    let mut world = World::build(opts.enterprises, opts.seed, opts.year);
    world.draw_parcels(&mut table_rng(opts.seed, 1));
    let Some(first) = opts.first_year else {
        return write_year(&world, &opts.out, opts.format, opts.seed, 0);
    };
    // The latest year first, then each earlier one derived from the year after it.
    let mut per_year = Vec::new();
    for back in 0..=(opts.year - first) as u64 {
        if back > 0 {
            world = world.previous(&mut table_rng(opts.seed, YEAR_STREAMS * back));
        }
        let dir = opts.out.join(world.year.to_string());
        std::fs::create_dir_all(&dir)
            .map_err(|source| SampleError::CreateDir { path: dir.clone(), source })?;
        per_year.push(write_year(&world, &dir, opts.format, opts.seed, back)?);
    }
    Ok(per_year.into_iter().rev().flatten().collect())
}

/// Most consecutive years one run writes.
pub const MAX_YEARS: i32 = 30;

/// Random streams per year: the latest year uses streams 1–7 (one per table, as a single year
/// does), the year `back` years earlier uses `YEAR_STREAMS * back` (its derivation) and
/// `YEAR_STREAMS * back + 1..=7` (its tables).
const YEAR_STREAMS: u64 = 16;

/// Write one year's tables into `dir`; returns the files written, in [`TABLES`] order.
fn write_year(
    world: &World,
    dir: &Path,
    fmt: SampleFormat,
    seed: u64,
    back: u64,
) -> Result<Vec<PathBuf>, SampleError> {
    let year = world.year;
    let rng = |table: u64| table_rng(seed, YEAR_STREAMS * back + table);
    let mut files = Vec::with_capacity(TABLES.len());

    let mut s = Sink::create(
        dir,
        TABLES[0],
        &HEADERS_REGISTER,
        &[22.0, 40.0, 14.0, 12.0, 9.0, 9.0, 12.0, 12.0],
        fmt,
        year,
    )?;
    world.write_register(&mut s)?;
    files.push(s.finish()?);

    // Stream 1 drew the parcels (World::draw_parcels).
    let mut s = Sink::create(
        dir,
        TABLES[1],
        &HEADERS_LAND,
        &[22.0, 32.0, 9.0, 13.0, 22.0, 12.0],
        fmt,
        year,
    )?;
    world.write_land(&mut s)?;
    files.push(s.finish()?);

    let mut s = Sink::create(dir, TABLES[2], &HEADERS_TAX, &[22.0, 16.0, 15.0], fmt, year)?;
    world.write_tax(&mut s, &mut rng(2))?;
    files.push(s.finish()?);

    let mut s = Sink::create(
        dir,
        TABLES[3],
        &HEADERS_OUTPUT,
        &[22.0, 16.0, 15.0, 16.0, 15.0, 17.0, 17.0],
        fmt,
        year,
    )?;
    world.write_output(&mut s, &mut rng(3))?;
    files.push(s.finish()?);

    let mut s = Sink::create(
        dir,
        TABLES[4],
        &HEADERS_ENERGY,
        &[22.0, 18.0, 16.0, 14.0, 12.0, 10.0, 13.0],
        fmt,
        year,
    )?;
    world.write_energy(&mut s, &mut rng(4))?;
    files.push(s.finish()?);

    let mut s =
        Sink::create(dir, TABLES[5], &HEADERS_EVENTS, &[22.0, 18.0, 12.0, 60.0], fmt, year)?;
    world.write_events(&mut s, &mut rng(5))?;
    files.push(s.finish()?);

    let mut s = Sink::create(dir, TABLES[6], &HEADERS_ADJUST, &[22.0, 11.0, 70.0], fmt, year)?;
    world.write_adjustments(&mut s)?;
    files.push(s.finish()?);

    // Own stream (7): the tables above are byte-identical with or without this one.
    let mut s =
        Sink::create(dir, TABLES[7], &HEADERS_STD_LAND, &std_land::WIDTHS_STD_LAND, fmt, year)?;
    world.write_std_land(&mut s, &mut rng(7))?;
    files.push(s.finish()?);

    Ok(files)
}

/// Independent, deterministic random stream per table.
fn table_rng(seed: u64, stream: u64) -> ChaCha8Rng {
    let mut r = ChaCha8Rng::seed_from_u64(seed);
    r.set_stream(stream);
    r
}
