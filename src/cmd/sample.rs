//! `mujun sample`: write a deterministic sample year.

use std::path::PathBuf;

use crate::publish::{Kind, Sources, Staging};
use crate::sample::{generate, SampleFormat, SampleOptions};

/// `mujun sample`'s options.
#[derive(clap::Args, Debug)]
#[command(help_template = super::HELP_TEMPLATE, next_help_heading = "选项")]
pub struct Args {
    /// 企业数（规上约占32%，其余为规下）
    #[arg(long, value_name = "数量", value_parser = super::args::integer::<usize>, default_value_t = 590)]
    pub enterprises: usize,
    /// 随机种子（相同种子生成完全相同的文件）
    #[arg(long, value_name = "种子", value_parser = super::args::integer::<u64>, default_value_t = 2025)]
    pub seed: u64,
    /// 输出格式
    #[arg(long, value_name = "格式", default_value = "csv", value_parser = ["csv", "xlsx"])]
    pub format: String,
    /// 评价年度
    #[arg(long, value_name = "年度", value_parser = super::args::integer::<i32>, default_value_t = 2025)]
    pub year: i32,
    /// 连续多个年度（同一批企业），如 2024-2025：每个年度写入输出目录下的一个子目录（2024/、2025/），最后一个年度与只生成该年度时完全相同
    #[arg(long, value_name = "起-止", value_parser = years, conflicts_with = "year")]
    pub years: Option<(i32, i32)>,
    /// 输出目录
    #[arg(long, value_name = "目录", default_value = "samples")]
    pub out: PathBuf,
    /// 输出目录中已有文件时仍然写入（同名文件被替换，其他文件不动）
    #[arg(long)]
    pub force: bool,
}

/// Generate the sample year's input files and publish them into `--out` whole.
pub fn run(a: &Args) -> Result<(), crate::Error> {
    let (first_year, year) = match a.years {
        Some((first, last)) => (Some(first), last),
        None => (None, a.year),
    };
    let format = if a.format == "xlsx" { SampleFormat::Xlsx } else { SampleFormat::Csv };
    let staging = Staging::begin_fresh(&a.out, Kind::Sample, a.force)?;
    let files = staging.write(|dir| {
        generate(&SampleOptions {
            enterprises: a.enterprises,
            seed: a.seed,
            format,
            out: dir.to_path_buf(),
            year,
            first_year,
        })
        .map_err(crate::Error::from)
    })?;
    let files: Vec<PathBuf> = files.iter().map(|f| staging.final_path(f)).collect();
    let options = [
        ("enterprises", a.enterprises.to_string()),
        ("seed", a.seed.to_string()),
        ("format", a.format.clone()),
        ("year", year.to_string()),
    ];
    let options = options.into_iter().chain(first_year.map(|f| ("first_year", f.to_string())));
    staging.commit(Sources {
        options: options.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
        ..Sources::default()
    })?;
    match first_year {
        Some(first) => crate::outln!(
            "已生成同一批 {} 家企业 {first}–{year} 年度（共 {} 年）的示例数据，每个年度一个目录：",
            a.enterprises,
            year - first + 1
        ),
        None => crate::outln!("已生成 {} 家企业的 {year} 年度示例数据：", a.enterprises),
    }
    for f in files {
        crate::outln!("  {}", f.display());
    }
    Ok(())
}

/// `--years` value: `2024-2025` (first and last year) or one year `2025`.
fn years(s: &str) -> Result<(i32, i32), String> {
    let s = s.trim();
    let (a, b) = match s.split_once(['-', '–', '—', '~', '～']) {
        Some((a, b)) => (a, b),
        None => (s, s),
    };
    let year = |t: &str| {
        t.trim().parse::<i32>().map_err(|_| "应为「起始年度-结束年度」，如 2024-2025".to_string())
    };
    let (a, b) = (year(a)?, year(b)?);
    if a > b {
        return Err(format!("起始年度{a}晚于结束年度{b}"));
    }
    Ok((a, b))
}
