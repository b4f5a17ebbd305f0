//! The land register per enterprise from the 用地 table: owned, leased-in and leased-out land,
//! the evaluated area `evaluate` uses (taken from [`crate::score::assemble`], not recomputed),
//! the enterprise's 标准地 projects, and the conflicts a land bureau must resolve:
//! - a parcel (不动产权证号) claimed as 自有 by two enterprises;
//! - the same parcel listed twice as 自有 by one enterprise (counted twice in the evaluated area);
//! - more land leased out than owned;
//! - a lease whose counterparty (对方统一社会信用代码) is not in the register, or is blank;
//! - a lease that the two parties report differently (one side missing, or other areas).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use polars::prelude::*;

use super::{Cols, Holder, Project};
use crate::ingest::schema::TableKind;
use crate::ingest::Dataset;

/// 用地方式 of owned land in the 用地 table.
const OWNED: &str = "自有";
/// 用地方式 of land leased in.
const LEASED_IN: &str = "承租";
/// 用地方式 of land leased out.
const LEASED_OUT: &str = "出租";

/// Tolerance for comparing areas (亩).
const EPS: f64 = 0.005;

/// The kinds of register conflict (the 冲突 sheet's order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ConflictKind {
    /// 一宗地多家自有: one 不动产权证号 claimed as 自有 by two or more enterprises.
    DoubleOwner,
    /// 同一宗地重复填报: one enterprise lists the same 不动产权证号 as 自有 twice (counted twice
    /// in its evaluated land).
    RepeatedParcel,
    /// 出租多于自有: more land leased out than owned.
    OverLet,
    /// 租赁对方不在企业名录: the lease's 对方统一社会信用代码 is not in the register.
    UnknownCounterparty,
    /// 租赁对方未填写: a lease with 对方统一社会信用代码 blank.
    MissingCounterparty,
    /// 租赁双方填报不一致: landlord and tenant report different areas, or one side is missing.
    LeaseMismatch,
}

impl ConflictKind {
    /// The Chinese label in the workbook (冲突 columns and sheet).
    pub fn label(self) -> &'static str {
        match self {
            ConflictKind::DoubleOwner => "一宗地多家自有",
            ConflictKind::RepeatedParcel => "同一宗地重复填报",
            ConflictKind::OverLet => "出租多于自有",
            ConflictKind::UnknownCounterparty => "租赁对方不在企业名录",
            ConflictKind::MissingCounterparty => "租赁对方未填写",
            ConflictKind::LeaseMismatch => "租赁双方填报不一致",
        }
    }
}

/// One row of the 用地 table.
#[derive(Debug, Clone)]
pub struct Parcel {
    /// Input file the row comes from.
    pub file: String,
    /// Sheet of that file.
    pub sheet: String,
    /// 1-based spreadsheet row.
    pub row: usize,
    /// 统一社会信用代码 of the enterprise reporting the row (rows without one are left out).
    pub code: String,
    /// That enterprise's name in the register; None when not registered.
    pub name: Option<String>,
    /// 不动产权证号; None: blank.
    pub parcel: Option<String>,
    /// 用地方式 as written: 自有, 承租, 出租 or another mode.
    pub mode: Option<String>,
    /// 用地面积 in 亩.
    pub area: Option<f64>,
    /// 对方统一社会信用代码 of a lease; None: blank.
    pub counterparty: Option<String>,
    /// The counterparty's name in the register; None: blank or not registered.
    pub counterparty_name: Option<String>,
    /// 供地日期, days since 1970-01-01.
    pub supply_date: Option<i32>,
    /// Conflict labels this row is part of.
    pub conflicts: Vec<&'static str>,
}

/// One enterprise of the register.
#[derive(Debug, Clone, Default)]
/// Every enterprise with a 用地 row or a 标准地 project appears, registered or not.
pub struct EnterpriseLand {
    /// 统一社会信用代码.
    pub code: String,
    /// Name in the register; None when not registered.
    pub name: Option<String>,
    /// 所属园区 in the register.
    pub park: Option<String>,
    /// In the enterprise register (企业名录); if not, `evaluate` neither rates it nor counts its
    /// land.
    pub registered: bool,
    /// Number of 自有 rows in the 用地 table.
    pub owned_parcels: usize,
    /// Σ 用地面积 of 自有 rows, 亩.
    pub owned: f64,
    /// Σ 用地面积 of 承租 rows, 亩.
    pub leased_in: f64,
    /// Σ 用地面积 of 出租 rows, 亩.
    pub leased_out: f64,
    /// Area under other 用地方式 (not 自有/承租/出租).
    pub other: f64,
    /// Evaluated land as `evaluate` computes it; None when not in the register.
    pub evaluated: Option<f64>,
    /// Number of its 标准地 projects.
    pub std_projects: usize,
    /// Σ 出让面积 of its 标准地 projects, 亩.
    pub std_area: f64,
    /// Labels of the conflicts it is party to ([`ConflictKind::label`]).
    pub conflicts: Vec<&'static str>,
}

/// One conflict of the register (a row of sheet 冲突).
#[derive(Debug, Clone)]
pub struct Conflict {
    /// What kind of conflict.
    pub kind: ConflictKind,
    /// 不动产权证号 (blank for leases without one).
    pub parcel: String,
    /// 统一社会信用代码 of the enterprises involved.
    pub codes: Vec<String>,
    /// The conflict in Chinese, with names and areas.
    pub message: String,
    /// (file, sheet, row) of the rows involved.
    pub rows: Vec<(String, String, usize)>,
}

/// The land register: per enterprise, per 用地 row, and the conflicts.
#[derive(Debug, Clone, Default)]
pub struct Register {
    /// One per enterprise, by code (sheet 用地台账).
    pub enterprises: Vec<EnterpriseLand>,
    /// The 用地 rows with a code, in input order (sheet 宗地明细).
    pub parcels: Vec<Parcel>,
    /// Sorted by kind, parcel, codes (sheet 冲突).
    pub conflicts: Vec<Conflict>,
}

/// Build the register from the 用地 table, the register figures (`holders`, from assemble) and
/// the 标准地 projects.
pub fn build(
    ds: &Dataset,
    holders: &HashMap<String, Holder>,
    projects: &[Project],
) -> PolarsResult<Register> {
    let land = ds.table(TableKind::Land);
    let c = Cols::new(land);
    let (src, row) = (c.u32("__src")?, c.u32("__row")?);
    let (code, parcel, mode, cp) =
        (c.text("code")?, c.text("parcel")?, c.text("land_use")?, c.text("counterparty")?);
    let (area, supply) = (c.num("area_mu")?, c.date("supply_date")?);
    let name_of = |c: &str| holders.get(c).and_then(|h| h.name.clone());

    let mut parcels = Vec::with_capacity(land.height());
    for i in 0..land.height() {
        let Some(code) = code[i].clone() else { continue };
        let (file, sheet) = ds.locate(src[i].unwrap_or(0));
        let cp = cp[i].clone().filter(|s| !s.is_empty());
        parcels.push(Parcel {
            file,
            sheet,
            row: row[i].unwrap_or(0) as usize,
            name: name_of(&code),
            code,
            parcel: parcel[i].clone(),
            mode: mode[i].clone(),
            area: area[i],
            counterparty_name: cp.as_deref().and_then(name_of),
            counterparty: cp,
            supply_date: supply[i],
            conflicts: Vec::new(),
        });
    }

    // Per enterprise.
    let mut ents: BTreeMap<String, EnterpriseLand> = BTreeMap::new();
    let entry = |ents: &mut BTreeMap<String, EnterpriseLand>, code: &str| {
        if !ents.contains_key(code) {
            let h = holders.get(code);
            ents.insert(
                code.to_string(),
                EnterpriseLand {
                    code: code.to_string(),
                    name: h.and_then(|h| h.name.clone()),
                    park: h.and_then(|h| h.park.clone()),
                    registered: h.is_some(),
                    evaluated: h.and_then(|h| h.land_mu),
                    ..Default::default()
                },
            );
        }
    };
    for p in &parcels {
        entry(&mut ents, &p.code);
        let e = ents.get_mut(&p.code).expect("inserted");
        let a = p.area.unwrap_or(0.0);
        match p.mode.as_deref() {
            Some(OWNED) => {
                e.owned += a;
                e.owned_parcels += 1;
            }
            Some(LEASED_IN) => e.leased_in += a,
            Some(LEASED_OUT) => e.leased_out += a,
            _ => e.other += a,
        }
    }
    for p in projects {
        let Some(code) = &p.code else { continue };
        entry(&mut ents, code);
        let e = ents.get_mut(code).expect("inserted");
        e.std_projects += 1;
        e.std_area += p.area_mu.unwrap_or(0.0);
    }

    // Sums of two-decimal areas: drop binary noise (22.700000000000003 → 22.7).
    let tidy = |x: &mut f64| *x = (*x * 1e6).round() / 1e6;
    for e in ents.values_mut() {
        for x in [&mut e.owned, &mut e.leased_in, &mut e.leased_out, &mut e.other, &mut e.std_area]
        {
            tidy(x);
        }
    }

    // Conflicts.
    let mut conflicts = Vec::new();
    let loc = |p: &Parcel| (p.file.clone(), p.sheet.clone(), p.row);
    let mut by_parcel: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, p) in parcels.iter().enumerate() {
        if let (Some(OWNED), Some(id)) = (p.mode.as_deref(), p.parcel.as_deref()) {
            by_parcel.entry(id).or_default().push(i);
        }
    }
    let mut marks: Vec<(usize, ConflictKind)> = Vec::new();
    for (id, rows) in &by_parcel {
        let owners: BTreeSet<&str> = rows.iter().map(|i| parcels[*i].code.as_str()).collect();
        if owners.len() > 1 {
            let list: Vec<String> = owners
                .iter()
                .map(|c| match name_of(c) {
                    Some(n) => format!("{c}（{n}）"),
                    None => format!("{c}（不在企业名录）"),
                })
                .collect();
            conflicts.push(Conflict {
                kind: ConflictKind::DoubleOwner,
                parcel: id.to_string(),
                codes: owners.iter().map(|c| c.to_string()).collect(),
                message: format!(
                    "不动产权证号{id}被{}家企业填报为自有：{}",
                    owners.len(),
                    list.join("、")
                ),
                rows: rows.iter().map(|i| loc(&parcels[*i])).collect(),
            });
            marks.extend(rows.iter().map(|i| (*i, ConflictKind::DoubleOwner)));
        }
        for owner in &owners {
            let mine: Vec<usize> =
                rows.iter().copied().filter(|i| parcels[*i].code == *owner).collect();
            if mine.len() > 1 {
                let rows_txt: Vec<String> =
                    mine.iter().map(|i| format!("第{}行", parcels[*i].row)).collect();
                conflicts.push(Conflict {
                    kind: ConflictKind::RepeatedParcel,
                    parcel: id.to_string(),
                    codes: vec![owner.to_string()],
                    message: format!(
                        "同一企业将不动产权证号{id}重复填报为自有（{}），评价用地重复计算",
                        rows_txt.join("、")
                    ),
                    rows: mine.iter().map(|i| loc(&parcels[*i])).collect(),
                });
                marks.extend(mine.iter().map(|i| (*i, ConflictKind::RepeatedParcel)));
            }
        }
    }
    for e in ents.values() {
        if e.leased_out > e.owned + EPS {
            let rows: Vec<usize> = parcels
                .iter()
                .enumerate()
                .filter(|(_, p)| p.code == e.code && p.mode.as_deref() == Some(LEASED_OUT))
                .map(|(i, _)| i)
                .collect();
            let detail = if e.leased_out <= e.owned + e.leased_in + EPS {
                "含转租承租土地，请核实是否允许转租".to_string()
            } else {
                format!(
                    "也大于自有与承租之和，评价用地为负（{}亩）",
                    super::fmt_num(e.owned + e.leased_in - e.leased_out)
                )
            };
            conflicts.push(Conflict {
                kind: ConflictKind::OverLet,
                parcel: String::new(),
                codes: vec![e.code.clone()],
                message: format!(
                    "出租面积{}亩大于自有面积{}亩（承租{}亩）；{detail}",
                    super::fmt_num(e.leased_out),
                    super::fmt_num(e.owned),
                    super::fmt_num(e.leased_in)
                ),
                rows: rows.iter().map(|i| loc(&parcels[*i])).collect(),
            });
            marks.extend(rows.iter().map(|i| (*i, ConflictKind::OverLet)));
        }
    }
    // Leases: counterparty known? both sides agree?
    let mut sides: BTreeMap<(String, String), ([f64; 2], Vec<usize>)> = BTreeMap::new();
    for (i, p) in parcels.iter().enumerate() {
        let out = match p.mode.as_deref() {
            Some(LEASED_OUT) => true,
            Some(LEASED_IN) => false,
            _ => continue,
        };
        let what = if out { "出租" } else { "承租" };
        let Some(cp) = &p.counterparty else {
            conflicts.push(Conflict {
                kind: ConflictKind::MissingCounterparty,
                parcel: p.parcel.clone().unwrap_or_default(),
                codes: vec![p.code.clone()],
                message: format!(
                    "{what}{}亩，未填写对方统一社会信用代码",
                    super::fmt_num(p.area.unwrap_or(0.0))
                ),
                rows: vec![loc(p)],
            });
            marks.push((i, ConflictKind::MissingCounterparty));
            continue;
        };
        if !holders.contains_key(cp) {
            conflicts.push(Conflict {
                kind: ConflictKind::UnknownCounterparty,
                parcel: p.parcel.clone().unwrap_or_default(),
                codes: vec![p.code.clone(), cp.clone()],
                message: format!(
                    "{what}{}亩，对方{cp}不在企业名录中",
                    super::fmt_num(p.area.unwrap_or(0.0))
                ),
                rows: vec![loc(p)],
            });
            marks.push((i, ConflictKind::UnknownCounterparty));
            continue;
        }
        if !holders.contains_key(&p.code) {
            continue;
        }
        let key = if out { (p.code.clone(), cp.clone()) } else { (cp.clone(), p.code.clone()) };
        let e = sides.entry(key).or_default();
        e.0[usize::from(!out)] += p.area.unwrap_or(0.0);
        e.1.push(i);
    }
    for ((landlord, tenant), (areas, rows)) in &sides {
        if (areas[0] - areas[1]).abs() <= EPS {
            continue;
        }
        let message = if rows.iter().all(|i| parcels[*i].mode.as_deref() == Some(LEASED_OUT)) {
            format!(
                "{landlord}填报出租给{tenant} {}亩，承租方没有对应的承租记录",
                super::fmt_num(areas[0])
            )
        } else if rows.iter().all(|i| parcels[*i].mode.as_deref() == Some(LEASED_IN)) {
            format!(
                "{tenant}填报承租{landlord} {}亩，出租方没有对应的出租记录",
                super::fmt_num(areas[1])
            )
        } else {
            format!(
                "{landlord}填报出租给{tenant} {}亩，承租方填报承租{}亩",
                super::fmt_num(areas[0]),
                super::fmt_num(areas[1])
            )
        };
        conflicts.push(Conflict {
            kind: ConflictKind::LeaseMismatch,
            parcel: String::new(),
            codes: vec![landlord.clone(), tenant.clone()],
            message,
            rows: rows.iter().map(|i| loc(&parcels[*i])).collect(),
        });
        marks.extend(rows.iter().map(|i| (*i, ConflictKind::LeaseMismatch)));
    }
    for (i, k) in marks {
        let p = &mut parcels[i];
        if !p.conflicts.contains(&k.label()) {
            p.conflicts.push(k.label());
        }
    }
    for cf in &conflicts {
        for code in &cf.codes {
            if let Some(e) = ents.get_mut(code) {
                if !e.conflicts.contains(&cf.kind.label()) {
                    e.conflicts.push(cf.kind.label());
                }
            }
        }
    }
    conflicts.sort_by(|a, b| (a.kind, &a.parcel, &a.codes).cmp(&(b.kind, &b.parcel, &b.codes)));
    Ok(Register { enterprises: ents.into_values().collect(), parcels, conflicts })
}
