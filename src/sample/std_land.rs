//! 标准地 sample rows (the land bureau's table, read by `mujun land`): about 45 projects of
//! registered 规上 manufacturers, drawn from their own random stream so that the other tables are
//! unchanged. The cases a land bureau meets are all there: compliant projects checked at
//! completion and at full production, investment short, low 容积率, low 建筑系数, too much office
//! land, late start, unstarted land idle for one and for two years, stopped work, projects
//! under construction or not yet due, output and tax short at 达产复核, and rows with missing data.
//! Dates are relative to the evaluation year (31 December is the evaluation date of the shipped
//! land rules).

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::model::{
    chance, date, days, from_days, unif, DateBuf, World, NO_OUTPUT, NO_TAX, STALLED, ZERO_TAX,
};
use super::sink::{Cell, Sink};
use super::vocab::INDUSTRIES;
use super::SampleError;

/// Column headers of 标准地, the land bureau's parcels sold under 标准地 terms with the agreed and
/// actual figures `mujun land` checks.
pub const HEADERS_STD_LAND: [&str; 26] = [
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

pub const WIDTHS_STD_LAND: [f64; 26] = [
    22.0, 16.0, 24.0, 9.0, 12.0, 13.0, 12.0, 12.0, 12.0, 12.0, 12.0, 12.0, 14.0, 14.0, 9.0, 14.0,
    14.0, 9.0, 14.0, 14.0, 16.0, 16.0, 12.0, 12.0, 12.0, 9.0,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Case {
    Compliant,
    InvestmentShort,
    LowFar,
    LowCoverage,
    AdminHigh,
    LateStart,
    IdleOneYear,
    IdleTwoYears,
    Stopped,
    Building,
    NotYetStarted,
    MissingData,
    OutputShort,
}

impl Case {
    /// Completed and due for 竣工验收 (and 达产复核).
    fn completed(self) -> bool {
        matches!(
            self,
            Case::Compliant
                | Case::InvestmentShort
                | Case::LowFar
                | Case::LowCoverage
                | Case::AdminHigh
                | Case::LateStart
                | Case::MissingData
                | Case::OutputShort
        )
    }
}

/// How many projects of each case (45 in all); smaller populations take a prefix of the
/// shuffled list.
const PLAN: [(Case, usize); 13] = [
    (Case::Compliant, 11),
    (Case::InvestmentShort, 4),
    (Case::LowFar, 3),
    (Case::LowCoverage, 2),
    (Case::AdminHigh, 1),
    (Case::LateStart, 4),
    (Case::IdleOneYear, 3),
    (Case::IdleTwoYears, 2),
    (Case::Stopped, 2),
    (Case::Building, 6),
    (Case::NotYetStarted, 2),
    (Case::MissingData, 3),
    (Case::OutputShort, 2),
];

/// One generated row.
struct Row {
    sale: i32,
    holder: usize,
    name: String,
    industry: &'static str,
    area_c: i64,
    price: Option<f64>,
    agreed_start: i32,
    agreed_done: i32,
    start: Option<i32>,
    done: Option<i32>,
    stop: Option<i32>,
    intensity: f64,
    investment: Option<f64>,
    far: f64,
    floor: Option<f64>,
    high: Option<f64>,
    coverage: f64,
    footprint: Option<f64>,
    yard: Option<f64>,
    admin_land: Option<f64>,
    admin_floor: Option<f64>,
    green: Option<f64>,
    tax: f64,
    output: f64,
    years: Option<i64>,
}

fn is_manufacturing(code: &str) -> bool {
    code.get(..2)
        .and_then(|d| d.parse::<u32>().ok())
        .map(|d| (13..=43).contains(&d))
        .unwrap_or(false)
}

fn pick_of<T: Copy>(rng: &mut ChaCha8Rng, xs: &[T]) -> T {
    xs[rng.random_range(0..xs.len())]
}

fn round_to(x: f64, step: f64) -> f64 {
    (x / step).round() * step
}

impl World {
    pub fn write_std_land(&self, s: &mut Sink, rng: &mut ChaCha8Rng) -> Result<(), SampleError> {
        let y = self.year;
        let eval = days(date(y, 12, 31));
        let n_total: usize = PLAN.iter().map(|p| p.1).sum();
        let n = (self.ents.len() * 3 / 40).clamp(1, n_total);

        // The case list, shuffled (Fisher–Yates on this table's stream).
        let mut cases: Vec<Case> =
            PLAN.iter().flat_map(|(c, k)| std::iter::repeat_n(*c, *k)).collect();
        for i in (1..cases.len()).rev() {
            let j = rng.random_range(0..=i);
            cases.swap(i, j);
        }
        cases.truncate(n);

        // Holders: distinct registered 规上 manufacturers paying tax; fall back to any firm.
        let good = |i: usize| {
            let e = &self.ents[i];
            e.gs && is_manufacturing(INDUSTRIES[e.industry as usize].code)
                && e.flags & (NO_TAX | ZERO_TAX | STALLED) == 0
                && e.tax_c >= 20_000
        };
        let mut pool: Vec<usize> = (0..self.ents.len()).filter(|i| good(*i)).collect();
        let mut rest: Vec<usize> = (0..self.ents.len())
            .filter(|i| {
                !good(*i) && is_manufacturing(INDUSTRIES[self.ents[*i].industry as usize].code)
            })
            .collect();
        rest.extend(
            (0..self.ents.len())
                .filter(|i| !is_manufacturing(INDUSTRIES[self.ents[*i].industry as usize].code)),
        );
        // One missing-data project goes to a firm without output data when there is one.
        let no_output: Option<usize> = (0..self.ents.len()).find(|i| {
            let e = &self.ents[*i];
            e.gs && e.flags & NO_OUTPUT != 0
                && is_manufacturing(INDUSTRIES[e.industry as usize].code)
        });
        let mut used = vec![false; self.ents.len()];
        let mut take =
            |rng: &mut ChaCha8Rng, prefer: Option<usize>, used: &mut Vec<bool>| -> Option<usize> {
                if let Some(i) = prefer.filter(|i| !used[*i]) {
                    used[i] = true;
                    return Some(i);
                }
                for list in [&mut pool, &mut rest] {
                    while !list.is_empty() {
                        let k = rng.random_range(0..list.len());
                        let i = list.swap_remove(k);
                        if !used[i] {
                            used[i] = true;
                            return Some(i);
                        }
                    }
                }
                None
            };

        let mut rows: Vec<Row> = Vec::with_capacity(n);
        let (mut missing_k, mut stopped_k) = (0usize, 0usize);
        for case in cases {
            let prefer = if case == Case::MissingData && missing_k == 2 { no_output } else { None };
            let Some(h) = take(rng, prefer, &mut used) else { break };
            let e = &self.ents[h];
            let ind = &INDUSTRIES[e.industry as usize];
            let tax = e.tax_c as f64 / 100.0;
            let output = e.output;
            let day = |rng: &mut ChaCha8Rng, yy: i32, m0: u32, m1: u32| {
                days(date(yy, rng.random_range(m0..=m1), rng.random_range(1..=28)))
            };

            // Dates.
            let (sale, agreed_start, agreed_done, start, done, mut stop);
            match case {
                Case::IdleOneYear => {
                    agreed_start = day(rng, y - 1, 1, 10);
                    sale = agreed_start - rng.random_range(90..=180);
                    agreed_done = agreed_start + rng.random_range(540..=900);
                    (start, done, stop) = (None, None, None);
                }
                Case::IdleTwoYears => {
                    agreed_start = day(rng, y - 3, 1, 12);
                    sale = agreed_start - rng.random_range(90..=180);
                    agreed_done = agreed_start + rng.random_range(540..=900);
                    (start, done, stop) = (None, None, None);
                }
                Case::Stopped => {
                    sale = day(rng, y - 5, 1, 12);
                    agreed_start = sale + rng.random_range(90..=180);
                    agreed_done = agreed_start + rng.random_range(540..=720);
                    start = Some(agreed_start + rng.random_range(0..=20));
                    done = None;
                    // First: stopped 1–2 years ago (idle fee); second: over 2 years (reclaim).
                    stop = Some(if stopped_k % 2 == 0 {
                        day(rng, y - 1, 1, 6)
                    } else {
                        day(rng, y - 3, 1, 12)
                    });
                    stopped_k += 1;
                }
                Case::Building => {
                    sale = day(rng, y - 1, 1, 12);
                    agreed_start = sale + rng.random_range(90..=180);
                    agreed_done = agreed_start + rng.random_range(720..=900);
                    let st = agreed_start + rng.random_range(-15..=20);
                    start = (st <= eval).then_some(st);
                    (done, stop) = (None, None);
                }
                Case::NotYetStarted => {
                    sale = day(rng, y, 7, 11);
                    agreed_start = sale + rng.random_range(90..=150);
                    agreed_done = agreed_start + rng.random_range(540..=720);
                    (start, done, stop) = (None, None, None);
                }
                Case::LateStart => {
                    sale = day(rng, y - 5, 1, 12);
                    agreed_start = sale + rng.random_range(90..=180);
                    agreed_done = agreed_start + rng.random_range(540..=720);
                    let late = rng.random_range(30..=240);
                    start = Some(agreed_start + late);
                    done = Some(agreed_done + rng.random_range(-30..=150));
                    stop = None;
                }
                _ => {
                    sale = day(rng, y - 7, 1, 12) + rng.random_range(0..=730);
                    agreed_start = sale + rng.random_range(90..=180);
                    agreed_done = agreed_start + rng.random_range(540..=900);
                    start = Some(agreed_start - rng.random_range(0..=20));
                    done = Some(agreed_done - rng.random_range(0..=60));
                    stop = None;
                }
            }
            if stop.is_some_and(|d| d > eval) {
                stop = None;
            }

            // Contract values.
            let agreed_tax = round_to(unif(rng, 20.0, 32.0), 0.5);
            let area = if case.completed() && tax > 0.0 {
                let per_mu = if case == Case::OutputShort {
                    unif(rng, 6.0, 12.0)
                } else {
                    agreed_tax * unif(rng, 1.15, 2.0)
                };
                (tax / per_mu).clamp(8.0, 300.0)
            } else {
                unif(rng, 15.0, 120.0)
            };
            let area_c = (area * 100.0).round() as i64;
            let area = area_c as f64 / 100.0;
            let site = area * crate::ingest::schema::M2_PER_MU;
            let intensity = round_to(unif(rng, 360.0, 480.0), 10.0);
            let far = pick_of(rng, &[1.2, 1.3, 1.5, 1.6, 2.0]);
            let coverage = pick_of(rng, &[0.45, 0.5, 0.55]);
            let agreed_output = if case == Case::OutputShort || output <= 0.0 {
                round_to(unif(rng, 400.0, 600.0), 10.0)
            } else {
                round_to(unif(rng, 400.0, 600.0).min(0.9 * output / area), 10.0).max(10.0)
            };
            let price = round_to(area * unif(rng, 14.0, 24.0), 0.01);

            // Built state.
            let built = case.completed();
            let (far_share, inv_share) = match case {
                Case::Stopped => (unif(rng, 0.08, 0.28), unif(rng, 0.08, 0.22)),
                Case::Building => (unif(rng, 0.2, 0.8), unif(rng, 0.3, 0.85)),
                Case::IdleOneYear | Case::IdleTwoYears | Case::NotYetStarted => (0.0, 0.0),
                Case::LowFar => (unif(rng, 0.65, 0.92), unif(rng, 1.02, 1.3)),
                Case::InvestmentShort => (unif(rng, 1.0, 1.25), unif(rng, 0.6, 0.9)),
                _ => (unif(rng, 1.0, 1.25), unif(rng, 1.02, 1.35)),
            };
            let started = start.is_some();
            let investment = started.then(|| round_to(intensity * area * inv_share, 0.01));
            let h_share = if chance(rng, 0.4) { unif(rng, 0.05, 0.2) } else { 0.0 };
            let floor_total = far * far_share * site;
            let floor = started.then(|| round_to(floor_total / (1.0 + h_share), 0.01));
            let high = match floor {
                Some(f) if h_share > 0.0 => Some(round_to(f * h_share, 0.01)),
                Some(_) if chance(rng, 0.5) => Some(0.0),
                _ => None,
            };
            let cov_actual = match case {
                Case::LowCoverage => coverage * unif(rng, 0.7, 0.9),
                _ if built => unif(rng, coverage + 0.01, 0.62),
                _ => coverage * far_share.min(1.0),
            };
            let yard_share = if chance(rng, 0.5) { unif(rng, 0.0, 0.2) } else { 0.0 };
            let footprint = started.then(|| round_to(cov_actual * site * (1.0 - yard_share), 0.01));
            let yard = match footprint {
                Some(_) if yard_share > 0.0 => Some(round_to(cov_actual * site * yard_share, 0.01)),
                Some(_) if chance(rng, 0.5) => Some(0.0),
                _ => None,
            };
            let admin_share = if case == Case::AdminHigh {
                unif(rng, 0.08, 0.11)
            } else {
                unif(rng, 0.03, 0.065)
            };
            let separable = chance(rng, 0.7);
            let (admin_land, admin_floor) = match (built, separable, floor) {
                (true, true, _) => (Some(round_to(admin_share * site, 0.01)), None),
                (true, false, Some(f)) => (None, Some(round_to(admin_share * f, 0.01))),
                _ => (None, None),
            };
            let green = built.then(|| round_to(site * unif(rng, 0.06, 0.15), 0.01));
            let years = if chance(rng, 0.15) { None } else { Some(pick_of(rng, &[2i64, 3, 3])) };

            let mut row = Row {
                sale,
                holder: h,
                name: format!(
                    "{}{}",
                    ind.words[0],
                    pick_of(
                        rng,
                        &[
                            "生产基地项目",
                            "扩能技改项目",
                            "智能工厂项目",
                            "新建厂房项目",
                            "二期项目"
                        ]
                    )
                ),
                industry: ind.code,
                area_c,
                price: Some(price),
                agreed_start,
                agreed_done,
                start,
                done,
                stop,
                intensity,
                investment,
                far,
                floor,
                high,
                coverage,
                footprint,
                yard,
                admin_land,
                admin_floor,
                green,
                tax: agreed_tax,
                output: agreed_output,
                years,
            };
            if case == Case::MissingData {
                match missing_k % 3 {
                    0 => row.floor = None,
                    1 => {
                        row.green = None;
                        row.footprint = None;
                    }
                    _ => row.price = None,
                }
                missing_k += 1;
            }
            rows.push(row);
        }

        rows.sort_by_key(|r| (r.sale, r.holder));
        let mut seq_by_year: Vec<(i32, u32)> = Vec::new();
        for r in &rows {
            use chrono::Datelike;
            let sy = from_days(r.sale).year();
            let seq = match seq_by_year.iter_mut().find(|(yy, _)| *yy == sy) {
                Some((_, n)) => {
                    *n += 1;
                    *n
                }
                None => {
                    seq_by_year.push((sy, 1));
                    1
                }
            };
            let id = format!("500102-{sy}-G{seq:03}");
            let d = |x: i32| DateBuf::new(from_days(x));
            let (sale, a_start, a_done) = (d(r.sale), d(r.agreed_start), d(r.agreed_done));
            let (start, done, stop) = (r.start.map(d), r.done.map(d), r.stop.map(d));
            fn date_cell(x: &Option<DateBuf>) -> Cell<'_> {
                x.as_ref().map_or(Cell::Blank, |b| Cell::Text(b.as_str()))
            }
            let num = |x: Option<f64>, dp: u8| x.map_or(Cell::Blank, |v| Cell::Fixed(v, dp));
            let years = r.years.map_or(Cell::Blank, Cell::Int);
            s.row(&[
                Cell::Text(self.ents[r.holder].code_str()),
                Cell::Text(&id),
                Cell::Text(&r.name),
                Cell::Text(r.industry),
                Cell::Hundredths(r.area_c),
                num(r.price, 2),
                Cell::Text(sale.as_str()),
                Cell::Text(a_start.as_str()),
                Cell::Text(a_done.as_str()),
                date_cell(&start),
                date_cell(&done),
                date_cell(&stop),
                Cell::Fixed(r.intensity, 0),
                num(r.investment, 2),
                Cell::Fixed(r.far, 2),
                num(r.floor, 2),
                num(r.high, 2),
                Cell::Fixed(r.coverage, 2),
                num(r.footprint, 2),
                num(r.yard, 2),
                num(r.admin_land, 2),
                num(r.admin_floor, 2),
                num(r.green, 2),
                Cell::Fixed(r.tax, 1),
                Cell::Fixed(r.output, 0),
                years,
            ])?;
        }
        Ok(())
    }
}
