//! The report tests' fixture: ten 规上 enterprises whose scores, tiers, gaps, measures and
//! aggregates are easy to compute by hand, and helpers to read xlsx files back.

use std::io::Read;
use std::path::{Path, PathBuf};

use calamine::{open_workbook, Data, Range, Reader, Xlsx};

pub use crate::common::*;

/// Rules of the fixture: two fixed-benchmark indicators (亩均税收 ÷ 10 × 60, 亩均增加值 ÷ 50 × 40,
/// each capped at 2 × weight), quota 20/60/90 %, every reporting section.
pub fn rules_toml(year: i32) -> String {
    format!(
        r#"
[meta]
name = "报告测试"
year = {year}

[land]
modes = {{ "自有" = 1.0 }}

[tax]
include = ["增值税"]

[[scope.exclude]]
when = "land_mu < 3"
reason = "用地不足3亩"

[[groups]]
id = "gs"
name = "规上企业"
when = "scale = '规上'"

[[groups.indicators]]
id = "tax_per_mu"
name = "亩均税收"
formula = "tax / land_mu"
unit = "万元/亩"
weight = 60
benchmark = {{ value = 10 }}
cap_times_weight = 2.0

[[groups.indicators]]
id = "va_per_mu"
name = "亩均增加值"
formula = "value_added / land_mu"
unit = "万元/亩"
weight = 40
benchmark = {{ value = 50 }}
cap_times_weight = 2.0

[[events.items]]
event = "重大安全事故"
kind = "veto"

[tiers]
labels = ["A", "B", "C", "D"]
names = ["优先发展类", "鼓励提升类", "转型提升类", "限制发展类"]
quota = [0.2, 0.6, 0.9]

[[clusters]]
name = "先进材料"
prefixes = ["26"]

[[clusters]]
name = "动力电池"
prefixes = ["3841"]

[[policies]]
tiers = ["A"]
measure = "城镇土地使用税减免"
category = "减免"
base_tax = "城镇土地使用税"
percent = 50

[[policies]]
tiers = ["B"]
measure = "鼓励提升"
text = "优先推荐申报技改项目"

[[policies]]
tiers = ["D"]
measure = "差别化电价"
category = "加价"
base = "electricity"
base_name = "用电量"
base_unit = "万千瓦时"
rate = 0.1
rate_unit = "万元/万千瓦时"
unit = "万元"

[alerts]
margin = 3.0

[[alerts.thresholds]]
indicator = "tax_per_mu"
below = 2.5
note = "亩均税收低于2.5万元/亩"

[targets]
per_mu_growth = 0.04
measures = ["tax_per_mu"]

[report]
top_n = 3
score_bin = 10
"#
    )
}

/// Park of firm n: 1–5 涪陵高新区, 6–10 白涛工业园区.
pub fn park_of(n: u32) -> &'static str {
    if n <= 5 {
        "涪陵高新区"
    } else {
        "白涛工业园区"
    }
}

/// Tax (增值税, 万元) of firm n in the fixture year: 10 n, except firm 5 pays 45.
pub fn tax_of(n: u32) -> f64 {
    if n == 5 {
        45.0
    } else {
        10.0 * n as f64
    }
}

/// The fixture: firms 1–10 (land 10 亩, value added 300, electricity 100 n, 城镇土地使用税 2 n),
/// firm 3 vetoed, four names that look like formulas, and firm 20 with 2 亩 (not evaluated).
/// `tax` gives each firm's 增值税.
pub fn firms_with(tax: impl Fn(u32) -> f64) -> Vec<Firm> {
    let mut firms: Vec<Firm> = (1..=10)
        .map(|n| {
            let mut f = Firm::new(n, "规上");
            f.park = park_of(n).into();
            f.land = Some(10.0);
            f.tax = Some(tax(n));
            f.value_added = Some(300.0);
            f.electricity = Some(100.0 * n as f64);
            f
        })
        .collect();
    firms[1].name = "=HYPERLINK(\"x\")有限公司".into();
    firms[3].name = "+86有限公司".into();
    firms[5].name = "-负号有限公司".into();
    firms[6].name = "@提及有限公司".into();
    firms[2].events = vec!["重大安全事故".into()];
    firms[9].industry = "3841".into();
    firms[8].industry = "3670".into();
    let mut small = Firm::new(20, "规上");
    small.land = Some(2.0);
    firms.push(small);
    firms
}

/// Write the fixture year into `dir` (with 城镇土地使用税 rows of 2 n 万元).
pub fn write_fixture(dir: &Path, firms: &[Firm]) {
    write_year(dir, firms);
    let mut tax = std::fs::read_to_string(dir.join("税收.csv")).unwrap();
    for f in firms.iter().filter(|f| f.n <= 10) {
        tax += &format!("{},城镇土地使用税,{}\n", f.code(), 2.0 * f.n as f64);
    }
    write_file(dir, "税收.csv", &tax);
}

/// Evaluate the fixture (tax per [`tax_of`]) in `dir` with the rules of `year`.
pub fn evaluate_fixture(
    dir: &Path,
    year: i32,
    tax: impl Fn(u32) -> f64,
) -> mujun::evaluation::Evaluation {
    std::fs::create_dir_all(dir).unwrap();
    write_fixture(dir, &firms_with(tax));
    evaluate_with(&rules_toml(year), dir)
}

pub fn cell(range: &Range<Data>, r: usize, c: usize) -> String {
    range.get((r, c)).map(|d| d.to_string()).unwrap_or_default()
}

pub fn num(range: &Range<Data>, r: usize, c: usize) -> f64 {
    match range.get((r, c)) {
        Some(Data::Float(f)) => *f,
        Some(Data::Int(i)) => *i as f64,
        other => panic!("({r},{c}) is not a number: {other:?}"),
    }
}

/// Index of the header `name` in row `r`.
pub fn col(range: &Range<Data>, r: usize, name: &str) -> usize {
    (0..range.width())
        .find(|c| cell(range, r, *c) == name)
        .unwrap_or_else(|| panic!("no column {name} in row {r}"))
}

/// First row whose column `c` equals `value`.
pub fn row_where(range: &Range<Data>, c: usize, value: &str) -> usize {
    (0..range.height())
        .find(|r| cell(range, *r, c) == value)
        .unwrap_or_else(|| panic!("no row with {value} in column {c}"))
}

pub fn rows_where(range: &Range<Data>, c: usize, value: &str) -> Vec<usize> {
    (0..range.height()).filter(|r| cell(range, *r, c) == value).collect()
}

pub fn open(path: &Path) -> Xlsx<std::io::BufReader<std::fs::File>> {
    open_workbook(path).unwrap_or_else(|e| panic!("open {}: {e}", path.display()))
}

pub fn sheet(path: &Path, name: &str) -> Range<Data> {
    open(path).worksheet_range(name).unwrap_or_else(|e| panic!("{name} in {}: {e}", path.display()))
}

/// Names of the files in an xlsx (zip) and the text of one of them.
pub fn zip_names(path: &Path) -> Vec<String> {
    let f = std::fs::File::open(path).unwrap();
    let z = zip::ZipArchive::new(f).unwrap();
    let mut names: Vec<String> =
        z.file_names().filter_map(|n| n.ok()).map(|n| n.to_string()).collect();
    names.sort();
    names
}

pub fn zip_text(path: &Path, inner: &str) -> String {
    let f = std::fs::File::open(path).unwrap();
    let mut z = zip::ZipArchive::new(f).unwrap();
    let mut s = String::new();
    z.by_name(inner)
        .unwrap_or_else(|e| panic!("{inner} in {}: {e}", path.display()))
        .read_to_string(&mut s)
        .unwrap();
    s
}

/// The xml file of a named sheet (via workbook.xml and its relationships).
pub fn sheet_xml(path: &Path, name: &str) -> String {
    let wb = zip_text(path, "xl/workbook.xml");
    let at = wb.find(&format!("name=\"{name}\"")).unwrap_or_else(|| panic!("sheet {name}"));
    let rest = &wb[at..];
    let rid_at = rest.find("r:id=\"").unwrap() + 6;
    let rid = &rest[rid_at..rid_at + rest[rid_at..].find('"').unwrap()];
    let rels = zip_text(path, "xl/_rels/workbook.xml.rels");
    let id_at = rels.find(&format!("Id=\"{rid}\"")).unwrap();
    let rel = &rels[rels[..id_at].rfind('<').unwrap()..];
    let t_at = rel.find("Target=\"").unwrap() + 8;
    let target = &rel[t_at..t_at + rel[t_at..].find('"').unwrap()];
    zip_text(path, &format!("xl/{}", target.trim_start_matches("/xl/")))
}

/// Every file under `dir`, relative, sorted.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    out.sort();
    out
}

pub fn write_all(
    ev: &mujun::evaluation::Evaluation,
    out: &Path,
    previous: Option<&Path>,
) -> mujun::report::Outputs {
    let prev = previous
        .map(|p| mujun::report::read_previous(p, ev).unwrap_or_else(|e| panic!("previous: {e}")));
    mujun::report::write_all(ev, out, prev, &mut |_, _, _| {}, &mut |_, _| {})
        .unwrap_or_else(|e| panic!("write_all: {e}"))
}
