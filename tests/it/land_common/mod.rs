//! Fixtures for the `mujun land` tests: a 标准地 table written row by row from a compliant
//! default project, a land rule file with round control values, and the run itself.

use std::path::{Path, PathBuf};

use mujun::land::{self, Check, Item, LandRun, Penalty};

/// The 标准地 headers the fixtures write (docs/INPUTS.md order, code first, plus the optional
/// 停工日期 and 行政办公及生活服务设施建筑面积 columns).
pub const HEADERS: [&str; 26] = [
    "统一社会信用代码",
    "宗地编号",
    "项目名称",
    "行业代码",
    "出让面积(亩)",
    "出让价款(万元)",
    "出让日期",
    "约定开工日期",
    "约定竣工日期",
    "实际开工日期",
    "实际竣工日期",
    "停工日期",
    "约定投资强度(万元/亩)",
    "实际固定资产投资(万元)",
    "约定容积率",
    "总建筑面积(平方米)",
    "8米以上层建筑面积(平方米)",
    "约定建筑系数",
    "建构筑物基底面积(平方米)",
    "露天堆场及操作场地面积(平方米)",
    "行政办公及生活服务设施用地面积(平方米)",
    "行政办公及生活服务设施建筑面积(平方米)",
    "绿地面积(平方米)",
    "约定亩均税收(万元/亩)",
    "约定亩均产值(万元/亩)",
    "达产年限(年)",
];

/// One 标准地 row as cell texts, keyed by header (without unit).
#[derive(Clone, Debug)]
pub struct Proj {
    pub cells: Vec<(String, String)>,
}

impl Proj {
    /// A compliant project completed on time, due for 达产复核 at 2025-12-31: 10 亩 sold for
    /// 1200 万元; agreed 300 万元/亩, 容积率 1.2, 建筑系数 0.40, 亩均税收 8, 亩均产值 80.
    pub fn compliant(holder: &str, parcel: &str) -> Proj {
        let v: [(&str, &str); 26] = [
            ("统一社会信用代码", holder),
            ("宗地编号", parcel),
            ("项目名称", "测试项目"),
            ("行业代码", "2614"),
            ("出让面积", "10"),
            ("出让价款", "1200"),
            ("出让日期", "2019-01-01"),
            ("约定开工日期", "2019-04-01"),
            ("约定竣工日期", "2020-12-31"),
            ("实际开工日期", "2019-04-01"),
            ("实际竣工日期", "2020-12-01"),
            ("停工日期", ""),
            ("约定投资强度", "300"),
            ("实际固定资产投资", "3600"),
            ("约定容积率", "1.2"),
            ("总建筑面积", "8000"),
            ("8米以上层建筑面积", "1000"),
            ("约定建筑系数", "0.4"),
            ("建构筑物基底面积", "2500"),
            ("露天堆场及操作场地面积", "500"),
            ("行政办公及生活服务设施用地面积", "300"),
            ("行政办公及生活服务设施建筑面积", ""),
            ("绿地面积", "600"),
            ("约定亩均税收", "8"),
            ("约定亩均产值", "80"),
            ("达产年限", "3"),
        ];
        Proj { cells: v.iter().map(|(k, x)| (k.to_string(), x.to_string())).collect() }
    }
    /// Set a cell by header (without unit); "" blanks it.
    pub fn set(mut self, header: &str, value: &str) -> Proj {
        let c = self
            .cells
            .iter_mut()
            .find(|(k, _)| k == header)
            .unwrap_or_else(|| panic!("no column {header}"));
        c.1 = value.to_string();
        self
    }
}

/// Write 标准地.csv.
pub fn write_std_land(dir: &Path, rows: &[Proj]) -> PathBuf {
    let mut text = HEADERS.join(",") + "\n";
    for r in rows {
        let line: Vec<&str> = r.cells.iter().map(|(_, v)| v.as_str()).collect();
        text += &line.join(",");
        text += "\n";
    }
    let p = dir.join("标准地.csv");
    std::fs::write(&p, text).expect("write 标准地");
    p
}

/// A land rule file with round numbers: evaluation date 2025-12-31, evaluation rules = the
/// shipped fuling.toml (tax basket: all but 稽查查补 and 一次性税收), late start 1‰/day, late
/// completion 0.5‰/day, idle fee 20 %, and one control table (GB/T 4754-2017): every industry
/// 建筑系数 ≥ 0.30, 行政办公 ≤ 0.07, 绿地率 ≤ 0.20; division 26: 容积率 ≥ 1.0, 投资强度 ≥ 200,
/// 亩均产值 ≥ 50, 亩均税收 ≥ 10.
pub fn rules_text() -> String {
    let fuling = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules").join("fuling.toml");
    format!(
        r#"[meta]
name = "测试土地规则"

[evaluation]
date = "2025-12-31"
evaluation_rules = "{}"

[schedule]
review_from = "actual_start"
default_production_years = 3

[penalties]
late_start_permille = 1.0
late_completion_permille = 0.5

[idle]
fee_share = 0.2

[[controls]]
name = "测试控制表"
edition = "2017"

[controls.all]
building_coverage = 0.30
admin_share = 0.07
green_ratio = 0.20

[[controls.industries]]
name = "化学原料和化学制品制造业"
codes = ["26"]
floor_area_ratio = 1.0
investment_intensity = 200
output_per_mu = 50
tax_per_mu = 10
"#,
        fuling.display().to_string().replace('\\', "/")
    )
}

/// Load rules from text, the data of `dir`, and run the land checks.
pub fn run_land(dir: &Path, rules: &str) -> LandRun {
    let path = dir.join("land_rules.toml");
    std::fs::write(&path, rules).expect("write rules");
    let lr = land::controls::load(&path).unwrap_or_else(|e| panic!("land rules: {e}"));
    let eval = mujun::rules::load(&lr.evaluation_rules)
        .unwrap_or_else(|e| panic!("evaluation rules: {e}"));
    let ds = mujun::ingest::load(&[dir.to_path_buf()]).unwrap_or_else(|e| panic!("ingest: {e}"));
    land::run(lr, &eval, ds).unwrap_or_else(|e| panic!("land: {e}"))
}

pub fn project_index(run: &LandRun, parcel: &str) -> usize {
    run.projects
        .iter()
        .position(|p| p.parcel_id == parcel)
        .unwrap_or_else(|| panic!("no project {parcel}"))
}

pub fn check<'a>(run: &'a LandRun, parcel: &str, item: Item) -> &'a Check {
    let i = project_index(run, parcel);
    run.checks
        .iter()
        .find(|c| c.project == i && c.item == item)
        .unwrap_or_else(|| panic!("no check {item:?} for {parcel}"))
}

pub fn penalty<'a>(run: &'a LandRun, parcel: &str, clause: land::Clause) -> Option<&'a Penalty> {
    let i = project_index(run, parcel);
    run.penalties.iter().find(|p| p.project == i && p.clause == clause)
}

pub fn close(actual: Option<f64>, expected: f64, what: &str) {
    let a = actual.unwrap_or_else(|| panic!("{what}: no value, expected {expected}"));
    assert!((a - expected).abs() < 1e-6, "{what}: got {a}, expected {expected}");
}
