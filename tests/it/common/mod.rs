//! Fixture helpers: small hand-made years written as CSV into a temp folder, and accessors for
//! the evaluation results.

use std::path::{Path, PathBuf};

use mujun::evaluation::{self, Evaluation};
use polars::prelude::*;

/// A valid 统一社会信用代码 numbered `n` (body 91500102MA + 7 digits, check char computed).
pub fn code(n: u32) -> String {
    mujun::credit_code::make(&format!("91500102MA{n:07}")).expect("valid body")
}

/// One enterprise of a fixture. Money in 万元, land in 亩.
#[derive(Clone, Debug)]
pub struct Firm {
    pub n: u32,
    pub name: String,
    pub park: String,
    pub industry: String,
    pub scale: String,
    pub reg_date: String,
    pub prod_date: String,
    /// 企业标签 (军工、垃圾焚烧…), blank by default.
    pub tags: String,
    pub land: Option<f64>,
    /// One 增值税 row of this amount; None writes no 增值税 row.
    pub tax: Option<f64>,
    /// Further tax rows (税种, 万元) after the 增值税 row.
    pub taxes: Vec<(String, f64)>,
    pub output_value: Option<f64>,
    pub revenue: Option<f64>,
    pub value_added: Option<f64>,
    pub profit: Option<f64>,
    pub rd: Option<f64>,
    pub employees: Option<f64>,
    /// 技术改造投资 (万元), blank by default.
    pub tech_investment: Option<f64>,
    pub energy: Option<f64>,
    pub electricity: Option<f64>,
    /// COD, SO2, NH3-N, NOx
    pub pollutants: [Option<f64>; 4],
    pub events: Vec<String>,
}

impl Firm {
    pub fn new(n: u32, scale: &str) -> Firm {
        Firm {
            n,
            name: format!("测试企业{n:02}有限公司"),
            park: "涪陵高新区".into(),
            industry: "2614".into(),
            scale: scale.into(),
            reg_date: "2010-03-01".into(),
            prod_date: String::new(),
            tags: String::new(),
            land: Some(10.0),
            tax: Some(100.0),
            taxes: Vec::new(),
            output_value: Some(1000.0),
            revenue: Some(1000.0),
            value_added: Some(300.0),
            profit: Some(50.0),
            rd: Some(20.0),
            employees: Some(100.0),
            tech_investment: None,
            energy: Some(100.0),
            electricity: Some(100.0),
            pollutants: [Some(0.1), Some(0.1), Some(0.1), Some(0.1)],
            events: Vec::new(),
        }
    }
    pub fn code(&self) -> String {
        code(self.n)
    }
}

fn num(v: Option<f64>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

pub fn write_file(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write fixture");
    p
}

/// Write the standard tables for `firms` into `dir` (tax as one 增值税 row per firm, then the
/// firm's further `taxes` rows).
pub fn write_year(dir: &Path, firms: &[Firm]) {
    let mut reg = String::from(
        "统一社会信用代码,企业名称,所属园区,所属乡镇街道,行业代码,企业规模,成立日期,投产日期,企业标签\n",
    );
    let mut land = String::from(
        "统一社会信用代码,不动产权证号,用地方式,用地面积(亩),对方统一社会信用代码,供地日期\n",
    );
    let mut tax = String::from("统一社会信用代码,税种,实缴税额(万元)\n");
    let mut out = String::from("统一社会信用代码,工业总产值(万元),营业收入(万元),工业增加值(万元),利润总额(万元),研发经费支出(万元),年平均职工人数(人),技术改造投资(万元)\n");
    let mut en = String::from("统一社会信用代码,综合能耗(吨标准煤),用电量(万千瓦时),化学需氧量(吨),二氧化硫(吨),氨氮(吨),氮氧化物(吨)\n");
    let mut ev = String::from("统一社会信用代码,事项,日期,说明\n");
    for f in firms {
        let c = f.code();
        reg += &format!(
            "{c},{},{},涪陵街道,{},{},{},{},{}\n",
            f.name, f.park, f.industry, f.scale, f.reg_date, f.prod_date, f.tags
        );
        if let Some(l) = f.land {
            land += &format!("{c},渝(2015)涪陵区不动产权第{:06}号,自有,{l},,\n", f.n);
        }
        if let Some(t) = f.tax {
            tax += &format!("{c},增值税,{t}\n");
        }
        for (kind, amount) in &f.taxes {
            tax += &format!("{c},{kind},{amount}\n");
        }
        out += &format!(
            "{c},{},{},{},{},{},{},{}\n",
            num(f.output_value),
            num(f.revenue),
            num(f.value_added),
            num(f.profit),
            num(f.rd),
            num(f.employees),
            num(f.tech_investment)
        );
        let p = &f.pollutants;
        en += &format!(
            "{c},{},{},{},{},{},{}\n",
            num(f.energy),
            num(f.electricity),
            num(p[0]),
            num(p[1]),
            num(p[2]),
            num(p[3])
        );
        for e in &f.events {
            ev += &format!("{c},\"{}\",2024-06-01,\n", e.replace('"', "\"\""));
        }
    }
    write_file(dir, "企业名录.csv", &reg);
    write_file(dir, "用地.csv", &land);
    write_file(dir, "税收.csv", &tax);
    write_file(dir, "产出.csv", &out);
    write_file(dir, "能耗.csv", &en);
    write_file(dir, "加减分事项.csv", &ev);
}

/// The repository's rule file `rules/NAME`.
pub fn shipped_rules(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("rules").join(name)
}

pub fn evaluate(rules: &Path, data: &Path) -> Evaluation {
    let rules = mujun::rules::load(rules).unwrap_or_else(|e| panic!("rules: {e}"));
    let ds = mujun::ingest::load(&[data.to_path_buf()]).unwrap_or_else(|e| panic!("ingest: {e}"));
    evaluation::run(rules, ds).unwrap_or_else(|e| panic!("evaluate: {e}"))
}

/// Evaluate with rules given as TOML text (written next to the data).
pub fn evaluate_with(rules_toml: &str, dir: &Path) -> Evaluation {
    let rules_dir = dir.join("rules");
    std::fs::create_dir_all(&rules_dir).expect("mkdir");
    let p = write_file(&rules_dir, "test.toml", rules_toml);
    evaluate(&p, dir)
}

fn row_index(df: &DataFrame, code: &str) -> usize {
    let codes = df.column("code").expect("code column");
    let codes = codes.str().expect("str");
    codes.iter().position(|c| c == Some(code)).unwrap_or_else(|| panic!("{code} not in frame"))
}

/// A numeric cell of the results for one enterprise (None when null).
pub fn num_of(ev: &Evaluation, code: &str, column: &str) -> Option<f64> {
    let i = row_index(&ev.results, code);
    let c = ev.results.column(column).unwrap_or_else(|_| panic!("no column {column}"));
    let c = c.cast(&DataType::Float64).expect("numeric");
    c.f64().expect("f64").get(i)
}

pub fn text_of(ev: &Evaluation, code: &str, column: &str) -> Option<String> {
    let i = row_index(&ev.results, code);
    let c = ev.results.column(column).unwrap_or_else(|_| panic!("no column {column}"));
    c.str().expect("str").get(i).map(str::to_string)
}

pub fn tier_of(ev: &Evaluation, code: &str) -> String {
    text_of(ev, code, "tier").expect("tier")
}

/// (category, reason, tier) of a not-evaluated enterprise.
pub fn not_evaluated(ev: &Evaluation, code: &str) -> (String, String, Option<String>) {
    let df = &ev.not_evaluated;
    let i = row_index(df, code);
    let get = |c: &str| df.column(c).expect("col").str().expect("str").get(i).map(str::to_string);
    (get("category").unwrap_or_default(), get("reason").unwrap_or_default(), get("tier"))
}

pub fn assert_close(actual: Option<f64>, expected: f64, what: &str) {
    let a = actual.unwrap_or_else(|| panic!("{what}: no value, expected {expected}"));
    assert!((a - expected).abs() < 1e-6, "{what}: got {a}, expected {expected}");
}

/// Round half away from zero to `d` decimals, as the engine does before ranking.
pub fn round_to(x: f64, d: i32) -> f64 {
    let m = 10f64.powi(d);
    (x * m).round() / m
}

/// Run the mujun binary in `cwd` (without `MUJUN_STORE` from the environment): its exit code
/// and its stdout followed by its stderr.
pub fn mujun_in(cwd: &Path, args: &[&str]) -> (i32, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mujun"))
        .current_dir(cwd)
        .env_remove("MUJUN_STORE")
        .args(args)
        .output()
        .expect("run mujun");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap_or(-1), text)
}
