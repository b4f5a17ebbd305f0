//! The synthetic population: one compact record per enterprise, built once from the
//! main random stream, and the per-table row writers that derive every table from it.

use std::collections::HashSet;

use chrono::{Datelike, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

use super::sink::{Cell, Sink};
use super::vocab::*;
use super::SampleError;
use crate::credit_code;

const NONE: u32 = u32::MAX;
const NO_TOWN: u8 = u8::MAX;

// Enterprise flags.
pub(crate) const NO_LAND: u16 = 1;
pub(crate) const TENANT: u16 = 2;
pub(crate) const ZERO_TAX: u16 = 4;
pub(crate) const NO_TAX: u16 = 8;
pub(crate) const NO_OUTPUT: u16 = 16;
pub(crate) const NO_ENERGY: u16 = 32;
pub(crate) const STALLED: u16 = 64;
pub(crate) const VETO: u16 = 128;
pub(crate) const FRAUD: u16 = 256;

/// One enterprise (about 80 bytes).
#[derive(Clone)]
pub(crate) struct Ent {
    pub code: [u8; 18],
    /// Packed name parts, see [`render_name`].
    pub name_key: u64,
    pub est: NaiveDate,
    pub prod: Option<NaiveDate>,
    /// Land in hundredths of 亩: owned total, or leased-in area for tenants; 0 without land.
    pub land_c: u32,
    /// Landlord index for tenants, else NONE.
    pub landlord: u32,
    /// 工业总产值 (万元).
    pub output: f64,
    /// 工业增加值 (万元).
    pub va: f64,
    /// Intended tax of the evaluated basket, in 0.01 万元.
    pub tax_c: i64,
    pub industry: u16,
    pub park: u8,
    pub town: u8,
    pub gs: bool,
    pub flags: u16,
}

impl Ent {
    pub fn code_str(&self) -> &str {
        std::str::from_utf8(&self.code).unwrap_or("")
    }
    fn has(&self, f: u16) -> bool {
        self.flags & f != 0
    }
    fn owns_land(&self) -> bool {
        self.land_c > 0 && !self.has(TENANT | NO_LAND)
    }
}

/// First registration year of the certificate serial table.
const CERT_YEAR0: i32 = 1990;
/// The certificate of a lease not yet placed on a parcel.
const NO_CERT: (u16, u32) = (0, 0);

/// One owned land parcel, identified across years by its certificate (不动产权证号).
#[derive(Clone)]
pub(crate) struct Parcel {
    /// The owner's index in [`World::ents`].
    pub holder: u32,
    /// Certificate (registration year, serial): 渝(year)涪陵区不动产权第serial号.
    pub cert: (u16, u32),
    /// Area in hundredths of 亩.
    pub area_c: u32,
    /// 供地日期.
    pub supply: NaiveDate,
    /// Whether 供地日期 is filled in (one in ten rows leaves it blank).
    pub shown: bool,
}

/// Part of an owner's parcel let to a tenant (the tenant's `land_c`).
#[derive(Clone, Copy)]
pub(crate) struct Lease {
    pub landlord: u32,
    pub tenant: u32,
    /// The landlord's parcel it is on.
    pub cert: (u16, u32),
}

pub(crate) struct World {
    pub year: i32,
    pub ents: Vec<Ent>,
    /// Owned parcels, grouped by holder in enterprise order.
    pub parcels: Vec<Parcel>,
    /// Sorted by (landlord, tenant).
    pub leases: Vec<Lease>,
    /// Manual tier adjustments: (enterprise, tier, reason), sorted by enterprise.
    pub adjust: Vec<(u32, &'static str, String)>,
    /// The last certificate serial given per registration year (index = year − 1990).
    pub serials: Vec<u32>,
}

pub(crate) fn cert_text(cert: (u16, u32)) -> String {
    format!("渝({})涪陵区不动产权第{:06}号", cert.0, cert.1)
}

// ---------------------------------------------------------------- random helpers

pub(super) fn unif(rng: &mut ChaCha8Rng, lo: f64, hi: f64) -> f64 {
    lo + (hi - lo) * rng.random::<f64>()
}

pub(super) fn chance(rng: &mut ChaCha8Rng, p: f64) -> bool {
    rng.random::<f64>() < p
}

/// Log-uniform in [lo, hi].
fn loguni(rng: &mut ChaCha8Rng, lo: f64, hi: f64) -> f64 {
    (lo.ln() + (hi.ln() - lo.ln()) * rng.random::<f64>()).exp()
}

/// Log-normal with the given median and log-sd.
fn lognormal(rng: &mut ChaCha8Rng, median: f64, sigma: f64) -> f64 {
    let z: f64 = rng.sample(StandardNormal);
    median * (sigma * z).exp()
}

/// Log-normal restricted to [lo, hi] (resampled, then clamped).
fn lognormal_in(rng: &mut ChaCha8Rng, median: f64, sigma: f64, lo: f64, hi: f64) -> f64 {
    for _ in 0..16 {
        let v = lognormal(rng, median, sigma);
        if (lo..=hi).contains(&v) {
            return v;
        }
    }
    median.clamp(lo, hi)
}

/// Index drawn with the given weights.
fn pick<T>(rng: &mut ChaCha8Rng, items: &[T], w: impl Fn(&T) -> u32) -> usize {
    let total: u64 = items.iter().map(|x| w(x) as u64).sum();
    if total == 0 {
        return 0;
    }
    let mut r = rng.random_range(0..total);
    for (i, x) in items.iter().enumerate() {
        let wi = w(x) as u64;
        if r < wi {
            return i;
        }
        r -= wi;
    }
    items.len() - 1
}

// ---------------------------------------------------------------- dates

pub(super) fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

pub(super) fn days(d: NaiveDate) -> i32 {
    d.num_days_from_ce()
}

pub(super) fn from_days(n: i32) -> NaiveDate {
    NaiveDate::from_num_days_from_ce_opt(n).unwrap_or(NaiveDate::MIN)
}

/// A date as `YYYY-MM-DD` without allocating.
pub(crate) struct DateBuf([u8; 10]);

impl DateBuf {
    pub fn new(d: NaiveDate) -> DateBuf {
        let mut b = *b"0000-00-00";
        let y = d.year().clamp(0, 9999) as u32;
        b[0] = b'0' + (y / 1000) as u8;
        b[1] = b'0' + (y / 100 % 10) as u8;
        b[2] = b'0' + (y / 10 % 10) as u8;
        b[3] = b'0' + (y % 10) as u8;
        b[5] = b'0' + (d.month() / 10) as u8;
        b[6] = b'0' + (d.month() % 10) as u8;
        b[8] = b'0' + (d.day() / 10) as u8;
        b[9] = b'0' + (d.day() % 10) as u8;
        DateBuf(b)
    }
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("")
    }
}

// ---------------------------------------------------------------- codes and names

const ALPHA: &[u8] = credit_code::ALPHABET.as_bytes();

/// Base-31 value of 9 body characters (all from the alphabet).
fn body_key(body: &[u8]) -> u64 {
    body.iter().fold(0u64, |k, &b| k * 31 + credit_code::char_value(b as char).unwrap_or(0) as u64)
}

/// A unique, valid code "91500102" + 9 body chars + check char. Firms registered
/// since 2015 get a new-style "MA…" body; older ones embed a GB 11714 organisation
/// code (8 digits + its check character).
fn make_code(rng: &mut ChaCha8Rng, new_style: bool, seen: &mut HashSet<u64>) -> [u8; 18] {
    loop {
        let mut code = *b"91500102000000000X";
        if new_style {
            code[8] = b'M';
            code[9] = b'A';
            code[10] = b"5601"[rng.random_range(0..4)];
            for c in code[11..17].iter_mut() {
                *c = ALPHA[rng.random_range(0..31)];
            }
        } else {
            const W: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];
            let mut sum = 0;
            for j in 0..8 {
                let d = if j == 0 {
                    [2, 5, 6, 7][rng.random_range(0..4)]
                } else {
                    rng.random_range(0..10)
                };
                code[8 + j] = b'0' + d as u8;
                sum += d * W[j];
            }
            code[16] = match 11 - sum % 11 {
                10 => b'X',
                11 => b'0',
                c => b'0' + c as u8,
            };
        }
        if !seen.insert(body_key(&code[8..17])) {
            continue;
        }
        let body = std::str::from_utf8(&code[..17]).unwrap_or("");
        if let Some(c) = credit_code::check_char(body) {
            code[17] = c as u8;
            return code;
        }
    }
}

/// FNV-1a, stable across runs and platforms.
fn fnv1a(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

const NO_SYL: u64 = 0xFF;

/// Name key layout: prefix 4 bits @60, syllables 8 bits @52/@44/@36 (0xFF = none),
/// word 4 bits @32, suffix 4 bits @28, fallback number 28 bits.
fn name_key(prefix: usize, s: [u64; 3], word: usize, suffix: usize, fallback: u64) -> u64 {
    (prefix as u64) << 60
        | s[0] << 52
        | s[1] << 44
        | s[2] << 36
        | ((word as u64) & 0xF) << 32
        | ((suffix as u64) & 0xF) << 28
        | (fallback & 0x0FFF_FFFF)
}

/// Render a name key for an industry into `out`.
pub(crate) fn render_name(key: u64, industry: u16, out: &mut String) {
    out.clear();
    let prefix = (key >> 60) as usize;
    out.push_str(NAME_PREFIXES[prefix.min(NAME_PREFIXES.len() - 1)].0);
    for shift in [52, 44, 36] {
        let s = (key >> shift) & 0xFF;
        if s != NO_SYL {
            out.push_str(SYLLABLES[(s as usize).min(SYLLABLES.len() - 1)]);
        }
    }
    let words = INDUSTRIES[industry as usize].words;
    out.push_str(words[(((key >> 32) & 0xF) as usize).min(words.len() - 1)]);
    let fallback = key & 0x0FFF_FFFF;
    if fallback != 0 {
        use std::fmt::Write;
        let _ = write!(out, "{fallback}号");
    }
    let suffix = ((key >> 28) & 0xF) as usize;
    out.push_str(NAME_SUFFIXES[suffix.min(NAME_SUFFIXES.len() - 1)].0);
}

fn make_name(
    rng: &mut ChaCha8Rng,
    industry: u16,
    gs: bool,
    idx: usize,
    seen: &mut HashSet<u64>,
    buf: &mut String,
) -> u64 {
    let nwords = INDUSTRIES[industry as usize].words.len();
    let nsyl = SYLLABLES.len();
    for attempt in 0..64 {
        let prefix = pick(rng, &NAME_PREFIXES, |p| p.1);
        let three = attempt >= 8 || chance(rng, 0.08);
        let s1 = rng.random_range(0..nsyl) as u64;
        let s2 = rng.random_range(0..nsyl) as u64;
        let s3 = if three { rng.random_range(0..nsyl) as u64 } else { NO_SYL };
        let word = rng.random_range(0..nwords);
        let suffix = pick(rng, &NAME_SUFFIXES, |s| if gs { s.1 } else { s.2 });
        let key = name_key(prefix, [s1, s2, s3], word, suffix, 0);
        render_name(key, industry, buf);
        if seen.insert(fnv1a(buf)) {
            return key;
        }
    }
    // Practically unreachable; the index makes it unique.
    let key = name_key(0, [0, 1, 2], 0, 0, idx as u64 + 1);
    render_name(key, industry, buf);
    seen.insert(fnv1a(buf));
    key
}

fn mu_to_c(mu: f64) -> u32 {
    ((mu * 100.0).round() as u32).max(1)
}

// ---------------------------------------------------------------- building

/// The date ranges an enterprise's dates are drawn from, for one evaluation year.
struct Dates {
    year_end: NaiveDate,
    old_lo: i32,
    old_hi: i32,
    new_lo: i32,
    new_hi: i32,
}

impl Dates {
    fn of(year: i32) -> Dates {
        Dates {
            year_end: date(year, 12, 31),
            old_lo: days(date(1995, 1, 1)),
            old_hi: days(date(year - 2, 12, 31)),
            new_lo: days(date(year - 1, 1, 1)),
            new_hi: days(date(year, 6, 30)),
        }
    }
}

/// The names and codes already given, so that no two enterprises share one.
struct Taken {
    codes: HashSet<u64>,
    names: HashSet<u64>,
    buf: String,
}

impl Taken {
    fn with_capacity(n: usize) -> Taken {
        Taken {
            codes: HashSet::with_capacity(n),
            names: HashSet::with_capacity(n),
            buf: String::new(),
        }
    }
    /// Every code and name of `ents`.
    fn of(ents: &[Ent]) -> Taken {
        let mut t = Taken::with_capacity(ents.len() + 64);
        for e in ents {
            t.codes.insert(body_key(&e.code[8..17]));
            render_name(e.name_key, e.industry, &mut t.buf);
            t.names.insert(fnv1a(&t.buf));
        }
        t
    }
}

/// Draw one enterprise (everything but leases and the special cases) from the main stream.
fn draw_ent(rng: &mut ChaCha8Rng, gs: bool, i: usize, d: &Dates, taken: &mut Taken) -> Ent {
    let park = pick(rng, &PARKS, |p| p.1);
    let town = if chance(rng, 0.03) { NO_TOWN } else { pick(rng, TOWNS[park], |t| t.1) as u8 };
    let industry = pick(rng, INDUSTRIES, |x| x.weight) as u16;
    let cluster = INDUSTRIES[industry as usize].cluster;

    let recent = chance(rng, 0.04);
    let est = if recent {
        from_days(rng.random_range(d.new_lo..=d.new_hi))
    } else {
        let u: f64 = rng.random();
        let t = if gs { u.powf(0.8) } else { u.powf(0.6) };
        from_days(d.old_lo + ((d.old_hi - d.old_lo) as f64 * t) as i32)
    };
    let prod = if chance(rng, if recent { 0.4 } else { 0.12 }) {
        None
    } else {
        let p = from_days(days(est) + rng.random_range(60..=900));
        (p <= d.year_end).then_some(p)
    };
    let code = make_code(rng, est.year() >= 2015, &mut taken.codes);
    let name_key = make_name(rng, industry, gs, i, &mut taken.names, &mut taken.buf);

    // Land.
    let mut flags = 0u16;
    let draw_land = |rng: &mut ChaCha8Rng| {
        if gs {
            lognormal_in(rng, 40.0, 0.9, 10.0, 500.0)
        } else {
            lognormal_in(rng, 6.0, 0.72, 1.0, 40.0)
        }
    };
    let land_c = if chance(rng, 0.01) {
        flags |= NO_LAND;
        0
    } else {
        if !gs && chance(rng, 0.10) {
            flags |= TENANT;
        }
        mu_to_c(draw_land(rng))
    };
    let land_mu = if land_c > 0 { land_c as f64 / 100.0 } else { draw_land(rng) };

    // Economics: value added and tax scale with land × firm efficiency.
    let eff = lognormal(rng, 1.0, 0.55);
    let va_share = unif(rng, 0.20, 0.35);
    let noise = lognormal(rng, 1.0, 0.3);
    let (mut va, mut output);
    if gs {
        va = land_mu * 100.0 * eff * cluster.va_mult() * noise;
        output = va / va_share;
        if output < 2300.0 {
            output = 2300.0 * unif(rng, 1.0, 1.8);
            va = output * va_share;
        }
    } else {
        va = land_mu * 40.0 * eff * cluster.va_mult() * noise;
        output = va / va_share;
        if output > 1800.0 {
            output = unif(rng, 400.0, 1800.0);
            va = output * va_share;
        }
    }
    let mut tax = va * 0.15 * cluster.tax_mult() * lognormal(rng, 1.0, 0.4);
    if chance(rng, 0.005) {
        flags |= STALLED;
        output = 0.0;
        va = 0.0;
        tax = unif(rng, 0.0, 2.0);
    }
    flags |= draw_data_gaps(rng);
    Ent {
        code,
        name_key,
        est,
        prod,
        land_c,
        landlord: NONE,
        output,
        va,
        tax_c: (tax * 100.0).round() as i64,
        industry,
        park: park as u8,
        town,
        gs,
        flags,
    }
}

/// The year's data gaps of one enterprise: tax paid is zero or missing, output or energy missing.
fn draw_data_gaps(rng: &mut ChaCha8Rng) -> u16 {
    let mut flags = 0;
    let r: f64 = rng.random();
    if r < 0.02 {
        flags |= ZERO_TAX;
    } else if r < 0.03 {
        flags |= NO_TAX;
    }
    if chance(rng, 0.01) {
        flags |= NO_OUTPUT;
    }
    if chance(rng, 0.02) {
        flags |= NO_ENERGY;
    }
    flags
}

/// The year's special cases: vetoes, one data fraud and two manual adjustments, on distinct
/// enterprises (flags set on `ents`); returns the adjustments sorted by enterprise.
fn draw_specials(
    rng: &mut ChaCha8Rng,
    ents: &mut [Ent],
    year: i32,
) -> Vec<(u32, &'static str, String)> {
    let n = ents.len();
    let n_veto = if n >= 50 { 2 + rng.random_range(0..=1) } else { usize::from(n >= 10) };
    for _ in 0..n_veto {
        if let Some(i) = pick_free(rng, ents, false) {
            ents[i].flags |= VETO;
        }
    }
    if n >= 10 {
        if let Some(i) = pick_free(rng, ents, false) {
            ents[i].flags |= FRAUD;
        }
    }
    let mut adjust = Vec::new();
    if n >= 2 {
        let mut chosen: Vec<usize> = Vec::new();
        for k in 0..2 {
            let mut idx = None;
            for _ in 0..1000 {
                let Some(i) = pick_free(rng, ents, true) else { break };
                if !chosen.contains(&i) {
                    idx = Some(i);
                    break;
                }
            }
            let idx =
                idx.or_else(|| (0..n).find(|i| !chosen.contains(i) && !ents[*i].has(VETO | FRAUD)));
            let Some(i) = idx else { break };
            chosen.push(i);
            let (tier, reason) = if k == 0 {
                let tier = if chance(rng, 0.5) { "A" } else { "B" };
                let reason = if chance(rng, 0.5) {
                    format!("{year}年新建技改项目已投产，新增产能尚未完全释放，经区亩均效益综合评价工作领导小组研究同意上调")
                } else {
                    "承担区级重点产业链项目，单位能耗增加值显著提升，经区亩均效益综合评价工作领导小组审议同意上调".to_string()
                };
                (tier, reason)
            } else {
                let tier = if chance(rng, 0.5) { "C" } else { "D" };
                let reason = if chance(rng, 0.5) {
                    "存在闲置土地未按期整改情况，经区亩均效益综合评价工作领导小组研究下调"
                        .to_string()
                } else {
                    format!("欠缴{year}年度土地出让金及违约金，经区亩均效益综合评价工作领导小组研究下调")
                };
                (tier, reason)
            };
            adjust.push((i as u32, tier, reason));
        }
        adjust.sort_by_key(|a| a.0);
    }
    adjust
}

impl World {
    pub fn build(n: usize, seed: u64, year: i32) -> World {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let rng = &mut rng;
        let d = Dates::of(year);

        let n_gs = ((n as f64) * 0.32).round() as usize;
        let mut gs_left = n_gs;
        let mut taken = Taken::with_capacity(n);
        let mut ents = Vec::with_capacity(n);

        for i in 0..n {
            // Exact share of 规上 (selection sampling).
            let gs = rng.random_range(0..(n - i)) < gs_left;
            if gs {
                gs_left -= 1;
            }
            ents.push(draw_ent(rng, gs, i, &d, &mut taken));
        }
        drop(taken);

        // Leases: each tenant rents from an owner of ≥ 10 亩 with spare land
        // (at most half of an owner's land is let).
        let mut cand: Vec<u32> = Vec::new();
        let mut cap: Vec<u32> = Vec::new();
        for (i, e) in ents.iter().enumerate() {
            if e.owns_land() && e.land_c >= 1000 {
                cand.push(i as u32);
                cap.push(e.land_c / 2);
            }
        }
        let mut leases = Vec::new();
        for (t, ent) in ents.iter_mut().enumerate() {
            if !ent.has(TENANT) {
                continue;
            }
            let area = ent.land_c;
            let mut placed = false;
            if !cand.is_empty() {
                for _ in 0..30 {
                    let k = rng.random_range(0..cand.len());
                    if cap[k] >= area {
                        cap[k] -= area;
                        ent.landlord = cand[k];
                        leases.push(Lease { landlord: cand[k], tenant: t as u32, cert: NO_CERT });
                        placed = true;
                        break;
                    }
                }
            }
            if !placed {
                ent.flags &= !TENANT; // owns its land instead
            }
        }
        leases.sort_unstable_by_key(|l| (l.landlord, l.tenant));

        let adjust = draw_specials(rng, &mut ents, year);
        World { year, ents, parcels: Vec::new(), leases, adjust, serials: Vec::new() }
    }

    /// Draw the owners' parcels from 用地's stream (1–3 per owner, with certificate numbers and
    /// supply dates) and put each lease on the landlord's parcel with most land left.
    pub fn draw_parcels(&mut self, rng: &mut ChaCha8Rng) {
        let year = self.year;
        let year_end = days(date(year, 12, 31));
        let first = days(date(1990, 1, 1));
        // certificate serials per registration year (unique (year, serial) pairs)
        let mut serial = vec![0u32; (year - CERT_YEAR0 + 1).max(1) as usize];
        let mut parts: Vec<u32> = Vec::new();
        let mut parcels = Vec::new();
        let mut lp = 0usize;
        for (i, e) in self.ents.iter().enumerate() {
            if e.has(NO_LAND) || e.has(TENANT) {
                continue;
            }
            // Split owned land into 1–3 parcels of at least 0.5 亩.
            let k = if e.gs {
                pick(rng, &[55u32, 30, 15], |w| *w) + 1
            } else {
                pick(rng, &[85u32, 15], |w| *w) + 1
            };
            parts.clear();
            let ws: Vec<f64> = (0..k).map(|_| unif(rng, 0.3, 1.0)).collect();
            let wsum: f64 = ws.iter().sum();
            let mut used = 0u32;
            for w in &ws[..k - 1] {
                let p = ((e.land_c as f64 * w / wsum) as u32).max(50);
                parts.push(p);
                used += p;
            }
            if used + 50 <= e.land_c {
                parts.push(e.land_c - used);
            } else {
                parts.clear();
                parts.push(e.land_c);
            }

            let own = parcels.len();
            let base = days(e.est) + rng.random_range(-365..=365);
            for (j, &area) in parts.iter().enumerate() {
                let later = if j == 0 { 0 } else { rng.random_range(365..=2500) * j as i32 };
                let supply = from_days((base + later).clamp(first, year_end));
                let sy = supply.year();
                let cert_year =
                    if sy >= 2016 { sy } else { rng.random_range(2016..=2020) }.min(year).max(sy);
                let si = ((cert_year - CERT_YEAR0).max(0) as usize).min(serial.len() - 1);
                let slot = &mut serial[si];
                *slot += rng.random_range(1..=40);
                let shown = !chance(rng, 0.10);
                parcels.push(Parcel {
                    holder: i as u32,
                    cert: (cert_year as u16, *slot),
                    area_c: area,
                    supply,
                    shown,
                });
            }
            // Leased-out parts, each on the parcel with most land left.
            let mut left: Vec<i64> = parcels[own..].iter().map(|p| p.area_c as i64).collect();
            while lp < self.leases.len() && self.leases[lp].landlord as usize == i {
                let area = self.ents[self.leases[lp].tenant as usize].land_c as i64;
                let mut best = 0;
                for (j, l) in left.iter().enumerate() {
                    if *l > left[best] {
                        best = j;
                    }
                }
                left[best] -= area;
                self.leases[lp].cert = parcels[own + best].cert;
                lp += 1;
            }
        }
        self.parcels = parcels;
        self.serials = serial;
    }
}

/// A random enterprise not yet vetoed or flagged for fraud (preferring 规上 if asked).
fn pick_free(rng: &mut ChaCha8Rng, ents: &[Ent], prefer_gs: bool) -> Option<usize> {
    for attempt in 0..2000 {
        let i = rng.random_range(0..ents.len());
        let e = &ents[i];
        if e.has(VETO | FRAUD) {
            continue;
        }
        if prefer_gs && !e.gs && attempt < 1000 {
            continue;
        }
        return Some(i);
    }
    None
}

// ---------------------------------------------------------------- the year before

/// Who holds a parcel in the earlier year.
#[derive(Clone, Copy)]
enum Holder {
    /// An enterprise of the later year (its index there).
    Later(usize),
    /// The k-th enterprise that left the district after the earlier year.
    Leaver(usize),
}

impl World {
    /// The year before this one, of the same enterprises, derived backwards so that this year
    /// stays as it is: figures deflated by each firm's growth (a few firms declined, so they were
    /// higher), the enterprises registered, moved in or first given land since then left out
    /// (with their tenants), a few that have left since then added, a few names and parks as they
    /// were before a rename or move, and a few parcels with the holder they had before they
    /// changed hands (the certificate stays). Data gaps, vetoes, fraud, adjustments, events and
    /// 标准地 are the earlier year's own.
    pub fn previous(&self, rng: &mut ChaCha8Rng) -> World {
        let year = self.year - 1;
        let cutoff = date(year, 12, 31);
        let n = self.ents.len();
        let few = |per: usize| (n / per).max(usize::from(n >= 20));
        let d = Dates::of(year);
        let mut taken = Taken::of(&self.ents);

        // Parcels held by the end of the earlier year: supplied by then.
        let mut parcels_of = vec![0u32; n];
        let mut held_of = vec![0u32; n];
        let mut later_parcels: HashSet<(u16, u32)> = HashSet::new();
        for p in &self.parcels {
            parcels_of[p.holder as usize] += 1;
            if p.supply <= cutoff {
                held_of[p.holder as usize] += 1;
            } else {
                later_parcels.insert(p.cert);
            }
        }
        let mut landlord = vec![false; n];
        for l in &self.leases {
            landlord[l.landlord as usize] = true;
        }

        // Not yet there: registered after the year, owning only land supplied after it, or one
        // of a few that moved into the district since; and the tenants of those (or of land
        // supplied since).
        let mut absent: Vec<bool> = (0..n)
            .map(|i| self.ents[i].est > cutoff || (parcels_of[i] > 0 && held_of[i] == 0))
            .collect();
        for _ in 0..few(200) {
            let i = rng.random_range(0..n);
            if !landlord[i] {
                absent[i] = true;
            }
        }
        for l in &self.leases {
            if absent[l.landlord as usize] || later_parcels.contains(&l.cert) {
                absent[l.tenant as usize] = true;
            }
        }

        // Left since: drawn as the earlier year's enterprises are, owning their land.
        let mut leavers: Vec<(usize, Ent)> = (0..few(80))
            .map(|k| {
                let gs = chance(rng, 0.32);
                let mut e = draw_ent(rng, gs, n + k, &d, &mut taken);
                e.flags &= !TENANT;
                (rng.random_range(0..=n), e)
            })
            .collect();
        leavers.sort_by_key(|l| l.0);

        // Parcels that changed hands: the last parcel of an owner holding at least two (and
        // letting none), held before by another owner — the first by a firm that has left since.
        let mut transfer: Vec<(usize, Holder)> = Vec::new(); // (parcel index, earlier holder)
        let mut involved = vec![false; n];
        let owner = |i: usize, absent: &[bool]| {
            let e = &self.ents[i];
            !absent[i] && e.owns_land()
        };
        for k in 0..few(150) {
            let mut found = None;
            for _ in 0..1000 {
                let x = rng.random_range(0..n);
                if owner(x, &absent) && !landlord[x] && held_of[x] >= 2 && !involved[x] {
                    found = Some(x);
                    break;
                }
            }
            let Some(x) = found else { break };
            let from = if k == 0 && !leavers.is_empty() {
                Some(Holder::Leaver(0))
            } else {
                (0..1000)
                    .map(|_| rng.random_range(0..n))
                    .find(|&z| z != x && owner(z, &absent) && !involved[z])
                    .map(Holder::Later)
            };
            let Some(from) = from else { break };
            let start = self.parcels.partition_point(|p| (p.holder as usize) < x);
            let Some(last) = (start..self.parcels.len())
                .take_while(|&j| self.parcels[j].holder as usize == x)
                .filter(|&j| self.parcels[j].supply <= cutoff)
                .last()
            else {
                break;
            };
            involved[x] = true;
            if let Holder::Later(z) = from {
                involved[z] = true;
            } else {
                leavers[0].1.flags &= !NO_LAND;
            }
            transfer.push((last, from));
        }

        // Renamed and moved since: the name and park they had.
        let continuing = |rng: &mut ChaCha8Rng, taken_by: &[bool]| {
            (0..1000).map(|_| rng.random_range(0..n)).find(|&i| !absent[i] && !taken_by[i])
        };
        let mut name_key: Vec<Option<u64>> = vec![None; n];
        let mut marked = vec![false; n];
        for _ in 0..few(100) {
            let Some(i) = continuing(rng, &marked) else { break };
            marked[i] = true;
            let e = &self.ents[i];
            name_key[i] =
                Some(make_name(rng, e.industry, e.gs, n + i, &mut taken.names, &mut taken.buf));
        }
        let mut park: Vec<Option<(u8, u8)>> = vec![None; n];
        for _ in 0..few(120) {
            let Some(i) = continuing(rng, &marked) else { break };
            marked[i] = true;
            let e = &self.ents[i];
            let mut p = pick(rng, &PARKS, |p| p.1) as u8;
            if p == e.park {
                p = (p + 1) % PARKS.len() as u8;
            }
            let town = if e.town == NO_TOWN {
                NO_TOWN
            } else {
                pick(rng, TOWNS[p as usize], |t| t.1) as u8
            };
            park[i] = Some((p, town));
        }

        // The enterprises in order, leavers among them; figures as they were.
        let mut ents: Vec<Ent> = Vec::with_capacity(n + leavers.len());
        let mut new_idx = vec![NONE; n];
        let mut leaver_idx = vec![NONE; leavers.len()];
        let mut lv = 0usize;
        for i in 0..=n {
            while lv < leavers.len() && leavers[lv].0 == i {
                leaver_idx[lv] = ents.len() as u32;
                ents.push(leavers[lv].1.clone());
                lv += 1;
            }
            if i == n || absent[i] {
                continue;
            }
            let e = &self.ents[i];
            let g = if chance(rng, 0.04) {
                unif(rng, 0.45, 0.75)
            } else {
                lognormal_in(rng, 1.06, 0.10, 0.75, 1.45)
            };
            let mut f = 1.0 / g;
            if e.output > 0.0 {
                f = if e.gs { f.max(2100.0 / e.output) } else { f.min(1800.0 / e.output) };
            }
            let tax_f = f * lognormal(rng, 1.0, 0.05);
            let (park, town) = park[i].unwrap_or((e.park, e.town));
            new_idx[i] = ents.len() as u32;
            ents.push(Ent {
                code: e.code,
                name_key: name_key[i].unwrap_or(e.name_key),
                est: e.est,
                prod: e.prod.filter(|p| *p <= cutoff),
                land_c: e.land_c,
                landlord: e.landlord,
                output: e.output * f,
                va: e.va * f,
                tax_c: (e.tax_c as f64 * tax_f).round() as i64,
                industry: e.industry,
                park,
                town,
                gs: e.gs,
                flags: (e.flags & (NO_LAND | TENANT | STALLED)) | draw_data_gaps(rng),
            });
        }
        for e in ents.iter_mut() {
            if e.has(TENANT) {
                e.landlord = new_idx[e.landlord as usize];
            }
        }

        // Parcels: those held then and not changed hands, the leavers' own, then those that
        // changed hands with the holder they had.
        let mut serials = self.serials.clone();
        let mut parcels: Vec<Parcel> = Vec::with_capacity(self.parcels.len());
        let mut moved: Vec<usize> = transfer.iter().map(|t| t.0).collect();
        moved.sort_unstable();
        for (j, p) in self.parcels.iter().enumerate() {
            if p.supply <= cutoff && !absent[p.holder as usize] && moved.binary_search(&j).is_err()
            {
                parcels.push(Parcel { holder: new_idx[p.holder as usize], ..p.clone() });
            }
        }
        let first = days(date(1990, 1, 1));
        for (k, (_, e)) in leavers.iter().enumerate() {
            if e.has(NO_LAND) || e.land_c == 0 {
                continue;
            }
            let supply =
                from_days((days(e.est) + rng.random_range(-365..=365)).clamp(first, days(cutoff)));
            let sy = supply.year();
            let cert_year =
                if sy >= 2016 { sy } else { rng.random_range(2016..=2020) }.min(year).max(sy);
            let si = (cert_year - CERT_YEAR0).max(0) as usize;
            if serials.len() <= si {
                serials.resize(si + 1, 0);
            }
            serials[si] += rng.random_range(1..=40);
            parcels.push(Parcel {
                holder: leaver_idx[k],
                cert: (cert_year as u16, serials[si]),
                area_c: e.land_c,
                supply,
                shown: !chance(rng, 0.10),
            });
        }
        for &(j, from) in &transfer {
            let holder = match from {
                Holder::Later(z) => new_idx[z],
                Holder::Leaver(k) => leaver_idx[k],
            };
            parcels.push(Parcel { holder, ..self.parcels[j].clone() });
        }
        parcels.sort_by_key(|p| p.holder);
        for e in ents.iter_mut().filter(|e| e.owns_land()) {
            e.land_c = 0;
        }
        for p in &parcels {
            ents[p.holder as usize].land_c += p.area_c;
        }

        let mut leases: Vec<Lease> = self
            .leases
            .iter()
            .filter(|l| !absent[l.tenant as usize])
            .map(|l| Lease {
                landlord: new_idx[l.landlord as usize],
                tenant: new_idx[l.tenant as usize],
                cert: l.cert,
            })
            .collect();
        leases.sort_unstable_by_key(|l| (l.landlord, l.tenant));

        let adjust = draw_specials(rng, &mut ents, year);
        World { year, ents, parcels, leases, adjust, serials }
    }
}

// ---------------------------------------------------------------- writers

impl World {
    pub fn write_register(&self, s: &mut Sink) -> Result<(), SampleError> {
        let mut name = String::new();
        for e in &self.ents {
            render_name(e.name_key, e.industry, &mut name);
            let est = DateBuf::new(e.est);
            let prod = e.prod.map(DateBuf::new);
            let town = if e.town == NO_TOWN {
                Cell::Blank
            } else {
                Cell::Text(TOWNS[e.park as usize][e.town as usize].0)
            };
            s.row(&[
                Cell::Text(e.code_str()),
                Cell::Text(&name),
                Cell::Text(PARKS[e.park as usize].0),
                town,
                Cell::Text(INDUSTRIES[e.industry as usize].code),
                Cell::Text(if e.gs { "规上" } else { "规下" }),
                Cell::Text(est.as_str()),
                prod.as_ref().map_or(Cell::Blank, |d| Cell::Text(d.as_str())),
            ])?;
        }
        Ok(())
    }

    /// 用地: per enterprise in order, a tenant's leased-in row, or an owner's parcels followed by
    /// its leased-out parts. The parcels are drawn beforehand ([`World::draw_parcels`]).
    pub fn write_land(&self, s: &mut Sink) -> Result<(), SampleError> {
        let mut next = 0usize;
        let mut lp = 0usize;
        for (i, e) in self.ents.iter().enumerate() {
            if e.has(NO_LAND) {
                continue;
            }
            if e.has(TENANT) {
                let landlord = &self.ents[e.landlord as usize];
                s.row(&[
                    Cell::Text(e.code_str()),
                    Cell::Blank,
                    Cell::Text(LAND_LEASED_IN),
                    Cell::Hundredths(e.land_c as i64),
                    Cell::Text(landlord.code_str()),
                    Cell::Blank,
                ])?;
                continue;
            }
            let own = next;
            while next < self.parcels.len() && self.parcels[next].holder as usize == i {
                let p = &self.parcels[next];
                let cert = cert_text(p.cert);
                let supply = DateBuf::new(p.supply);
                s.row(&[
                    Cell::Text(e.code_str()),
                    Cell::Text(&cert),
                    Cell::Text(LAND_OWNED),
                    Cell::Hundredths(p.area_c as i64),
                    Cell::Blank,
                    if p.shown { Cell::Text(supply.as_str()) } else { Cell::Blank },
                ])?;
                next += 1;
            }
            while lp < self.leases.len() && self.leases[lp].landlord as usize == i {
                let l = self.leases[lp];
                let tenant = &self.ents[l.tenant as usize];
                let cert = self.parcels[own..next]
                    .iter()
                    .find(|p| p.cert == l.cert)
                    .map_or_else(String::new, |p| cert_text(p.cert));
                s.row(&[
                    Cell::Text(e.code_str()),
                    Cell::Text(&cert),
                    Cell::Text(LAND_LEASED_OUT),
                    Cell::Hundredths(tenant.land_c as i64),
                    Cell::Text(tenant.code_str()),
                    Cell::Blank,
                ])?;
                lp += 1;
            }
        }
        Ok(())
    }

    pub fn write_tax(&self, s: &mut Sink, rng: &mut ChaCha8Rng) -> Result<(), SampleError> {
        for e in &self.ents {
            if e.has(NO_TAX) {
                continue;
            }
            let code = e.code_str();
            if e.has(ZERO_TAX) {
                s.row(&[Cell::Text(code), Cell::Text(TAX_VAT), Cell::Hundredths(0)])?;
                s.row(&[Cell::Text(code), Cell::Text(TAX_STAMP), Cell::Hundredths(0)])?;
                continue;
            }
            let t = e.tax_c;
            let ind = &INDUSTRIES[e.industry as usize];
            let mut share = |p: f64, lo: f64, hi: f64| -> i64 {
                if chance(rng, p) {
                    (t as f64 * unif(rng, lo, hi)).round() as i64
                } else {
                    0
                }
            };
            let mut cit = if e.gs { share(0.9, 0.15, 0.35) } else { share(0.6, 0.05, 0.20) };
            let mut pit = if e.gs { share(0.8, 0.005, 0.04) } else { share(0.3, 0.005, 0.03) };
            let mut res = if ind.code == "0721" {
                share(1.0, 0.08, 0.20)
            } else if matches!(ind.cluster, Cluster::Materials | Cluster::FineChem) {
                share(0.05, 0.01, 0.05)
            } else {
                0
            };
            let mut prop = match (e.owns_land(), e.gs) {
                (true, true) => share(0.95, 0.02, 0.06),
                (true, false) => share(0.7, 0.02, 0.08),
                _ => 0,
            };
            let mut stamp = share(1.0, 0.002, 0.01);
            // 城镇土地使用税: 0.2–0.6 万元/亩 on owned land, at most a quarter of the total.
            let mut land_use = if e.owns_land() {
                ((e.land_c as f64 * unif(rng, 0.2, 0.6)).round() as i64).min(t / 4)
            } else {
                0
            };
            let mut rest = t - (cit + pit + res + prop + stamp + land_use);
            if rest < 0 {
                (cit, pit, res, prop, stamp, land_use) = (0, 0, 0, 0, 0, 0);
                rest = t;
            }
            // 增值税 and its surcharges (7 % + 3 % + 2 %) take the rest.
            let vat0 = (rest as f64 / 1.12).round();
            let (mut city, mut edu, mut ledu) = (
                (vat0 * 0.07).round() as i64,
                (vat0 * 0.03).round() as i64,
                (vat0 * 0.02).round() as i64,
            );
            let mut vat = rest - city - edu - ledu;
            if vat < 0 {
                (city, edu, ledu) = (0, 0, 0);
                vat = rest;
            }
            // A few refunds: one tax type negative, the total unchanged.
            if t >= 500 && chance(rng, 0.015) {
                let x = (unif(rng, 0.1, 3.0) * 100.0).round() as i64;
                if cit > 0 {
                    vat += cit + x;
                    cit = -x;
                } else {
                    vat += pit + x;
                    pit = -x;
                }
            }
            s.row(&[Cell::Text(code), Cell::Text(TAX_VAT), Cell::Hundredths(vat)])?;
            for (name, v) in [
                (TAX_CIT, cit),
                (TAX_PIT, pit),
                (TAX_RESOURCE, res),
                (TAX_PROPERTY, prop),
                (TAX_LAND_USE, land_use),
                (TAX_STAMP, stamp),
                (TAX_CITY, city),
                (TAX_EDU, edu),
                (TAX_LOCAL_EDU, ledu),
            ] {
                if v != 0 {
                    s.row(&[Cell::Text(code), Cell::Text(name), Cell::Hundredths(v)])?;
                }
            }
            // Outside the evaluated basket.
            if chance(rng, 0.03) {
                let v = (loguni(rng, 0.3, 80.0) * 100.0).round() as i64;
                s.row(&[Cell::Text(code), Cell::Text(TAX_AUDIT), Cell::Hundredths(v)])?;
            }
            if chance(rng, 0.01) {
                let v = (loguni(rng, 20.0, 2000.0) * 100.0).round() as i64;
                // The kind follows from the amount: no further draw, the rest of the year stays.
                let kind = TAX_ONE_OFF[(v % 3) as usize];
                s.row(&[Cell::Text(code), Cell::Text(kind), Cell::Hundredths(v)])?;
            }
        }
        Ok(())
    }

    pub fn write_output(&self, s: &mut Sink, rng: &mut ChaCha8Rng) -> Result<(), SampleError> {
        for e in &self.ents {
            if e.has(NO_OUTPUT) {
                continue;
            }
            let (output, revenue, va, profit, rd, emp);
            if e.has(STALLED) {
                output = 0.0;
                revenue = unif(rng, 0.0, 50.0);
                va = 0.0;
                profit = -unif(rng, 5.0, 200.0);
                rd = 0.0;
                emp = rng.random_range(10..=30);
            } else {
                output = e.output;
                va = e.va;
                let mut r = output * unif(rng, 0.9, 1.1);
                if e.gs && r < 2000.0 {
                    r = 2000.0 + unif(rng, 0.0, 300.0);
                }
                if !e.gs && r >= 2000.0 {
                    r = unif(rng, 1500.0, 1995.0);
                }
                revenue = r;
                profit = if chance(rng, 0.08) {
                    -r * unif(rng, 0.005, 0.12)
                } else {
                    r * unif(rng, 0.01, 0.15)
                };
                rd = if e.gs {
                    if chance(rng, 0.10) {
                        0.0
                    } else {
                        r * unif(rng, 0.002, 0.05)
                    }
                } else if chance(rng, 0.30) {
                    0.0
                } else {
                    r * unif(rng, 0.001, 0.03)
                };
                // 全员劳动生产率 (万元/人); small firms are less productive.
                let lp = lognormal(rng, if e.gs { 35.0 } else { 8.0 }, 0.5);
                let raw = (va / lp).round() as i64;
                emp = if raw < 10 {
                    rng.random_range(10..=25)
                } else {
                    raw.min(if e.gs { 3000 } else { 300 })
                };
            }
            s.row(&[
                Cell::Text(e.code_str()),
                Cell::Fixed(output, 2),
                Cell::Fixed(revenue, 2),
                Cell::Fixed(va, 2),
                Cell::Fixed(profit, 2),
                Cell::Fixed(rd, 2),
                Cell::Int(emp),
            ])?;
        }
        Ok(())
    }

    pub fn write_energy(&self, s: &mut Sink, rng: &mut ChaCha8Rng) -> Result<(), SampleError> {
        for e in &self.ents {
            if e.has(NO_ENERGY) {
                continue;
            }
            let ind = &INDUSTRIES[e.industry as usize];
            let (lo, hi) = if ind.code.starts_with("44") {
                (0.2, 0.8)
            } else {
                ind.cluster.energy_productivity()
            };
            let energy = if e.has(STALLED) {
                unif(rng, 1.0, 30.0)
            } else {
                (e.va / loguni(rng, lo, hi)).max(0.5)
            };
            let elec = energy * unif(rng, 0.3, 0.8);
            let polluting = chance(rng, if e.gs { 0.9 } else { 0.15 });
            let mut p = [Cell::Blank; 4];
            if polluting {
                let total =
                    e.va.max(1.0) / lognormal(rng, ind.cluster.emission_productivity(), 0.8);
                let cod = total * unif(rng, 0.25, 0.45);
                let so2 = if chance(rng, 0.2) { 0.0 } else { total * unif(rng, 0.1, 0.3) };
                let nh3 = total * unif(rng, 0.02, 0.08);
                let nox = total * unif(rng, 0.25, 0.5);
                p = [
                    Cell::Fixed(cod, 3),
                    Cell::Fixed(so2, 3),
                    Cell::Fixed(nh3, 3),
                    Cell::Fixed(nox, 3),
                ];
            }
            s.row(&[
                Cell::Text(e.code_str()),
                Cell::Fixed(energy, 2),
                Cell::Fixed(elec, 2),
                p[0],
                p[1],
                p[2],
                p[3],
            ])?;
        }
        Ok(())
    }

    pub fn write_events(&self, s: &mut Sink, rng: &mut ChaCha8Rng) -> Result<(), SampleError> {
        let year = self.year;
        let y0 = days(date(year, 1, 1));
        let y1 = days(date(year, 12, 31));
        let ev =
            |s: &mut Sink, rng: &mut ChaCha8Rng, e: &Ent, name: &str| -> Result<(), SampleError> {
                let d = DateBuf::new(from_days(rng.random_range(y0..=y1)));
                let note = event_note(rng, name, year);
                s.row(&[
                    Cell::Text(e.code_str()),
                    Cell::Text(name),
                    Cell::Text(d.as_str()),
                    Cell::Text(&note),
                ])
            };
        for e in &self.ents {
            if chance(rng, if e.gs { 0.18 } else { 0.035 }) {
                let a = pick(rng, &BONUS_EVENTS, |b| b.1);
                ev(s, rng, e, BONUS_EVENTS[a].0)?;
                if chance(rng, 0.2) {
                    let mut b = pick(rng, &BONUS_EVENTS, |b| b.1);
                    if b == a {
                        b = (a + 1) % BONUS_EVENTS.len();
                    }
                    ev(s, rng, e, BONUS_EVENTS[b].0)?;
                }
            }
            if chance(rng, 0.01) {
                let name =
                    if chance(rng, 0.6) { EVENT_ENV_VIOLATION } else { EVENT_MINOR_ACCIDENT };
                ev(s, rng, e, name)?;
            }
            if e.has(VETO) {
                ev(s, rng, e, EVENT_MAJOR_ACCIDENT)?;
            }
            if e.has(FRAUD) {
                ev(s, rng, e, EVENT_DATA_FRAUD)?;
            }
        }
        Ok(())
    }

    pub fn write_adjustments(&self, s: &mut Sink) -> Result<(), SampleError> {
        for (i, tier, reason) in &self.adjust {
            let e = &self.ents[*i as usize];
            s.row(&[Cell::Text(e.code_str()), Cell::Text(tier), Cell::Text(reason)])?;
        }
        Ok(())
    }
}

fn event_note(rng: &mut ChaCha8Rng, name: &str, year: i32) -> String {
    match name {
        "高新技术企业" => {
            format!("高新技术企业证书编号GR{year}500{:05}", rng.random_range(0..100_000))
        }
        "专精特新中小企业" => format!("列入重庆市{year}年度专精特新中小企业名单"),
        "市级绿色工厂" => format!("列入涪陵区{year}年度绿色工厂名单"),
        "省级绿色工厂" => format!("列入重庆市{year}年度绿色工厂名单"),
        "国家级绿色工厂" => format!("列入工业和信息化部{year}年度绿色工厂名单"),
        "专精特新\"小巨人\"" => "列入工业和信息化部专精特新“小巨人”企业名单".to_string(),
        "环境违法" => format!(
            "重庆市涪陵区生态环境局行政处罚决定书（渝涪环罚〔{year}〕{}号）",
            rng.random_range(1..300)
        ),
        "一般安全事故" => format!(
            "发生一般生产安全事故，涪陵区应急管理局调查处理（涪应急罚〔{year}〕{}号）",
            rng.random_range(1..200)
        ),
        "重大安全事故" => "发生重大生产安全事故，经事故调查组认定负有主要责任".to_string(),
        "数据造假" => "统计执法检查发现虚报工业总产值、营业收入等统计数据".to_string(),
        _ => String::new(),
    }
}
