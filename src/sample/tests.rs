use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::model::World;
use super::*;
use crate::credit_code;

fn opts(dir: &Path, n: usize, seed: u64, format: SampleFormat) -> SampleOptions {
    SampleOptions {
        enterprises: n,
        seed,
        format,
        out: dir.to_path_buf(),
        year: 2025,
        first_year: None,
    }
}

/// Minimal RFC 4180 reader (quoted fields, doubled quotes, LF line ends).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    field.push('"');
                    chars.next();
                } else {
                    quoted = false;
                }
            } else {
                field.push(c);
            }
        } else {
            match c {
                '"' => quoted = true,
                ',' => row.push(std::mem::take(&mut field)),
                '\n' => {
                    row.push(std::mem::take(&mut field));
                    rows.push(std::mem::take(&mut row));
                }
                '\r' => panic!("CR in output"),
                _ => field.push(c),
            }
        }
    }
    assert!(field.is_empty() && row.is_empty(), "file must end with a newline");
    rows
}

fn read_table(dir: &Path, table: &str) -> Vec<Vec<String>> {
    let bytes = std::fs::read(dir.join(format!("{table}.csv"))).unwrap();
    assert!(!bytes.starts_with(&[0xEF, 0xBB, 0xBF]), "no BOM");
    parse_csv(&String::from_utf8(bytes).unwrap())
}

fn num(s: &str) -> f64 {
    assert!(!s.contains(['e', 'E']), "scientific notation: {s}");
    assert_ne!(s, "-0.00");
    assert_ne!(s, "-0.000");
    s.parse::<f64>().unwrap_or_else(|_| panic!("not a number: {s:?}"))
}

fn cents(s: &str) -> i64 {
    (num(s) * 100.0).round() as i64
}

fn all_files_equal(a: &Path, b: &Path, ext: &str) {
    for t in TABLES {
        let fa = std::fs::read(a.join(format!("{t}.{ext}"))).unwrap();
        let fb = std::fs::read(b.join(format!("{t}.{ext}"))).unwrap();
        assert!(fa == fb, "{t}.{ext} differs between runs");
    }
}

#[test]
fn csv_is_deterministic_and_seed_dependent() {
    let (a, b, c) =
        (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let fa = generate(&opts(a.path(), 400, 7, SampleFormat::Csv)).unwrap();
    generate(&opts(b.path(), 400, 7, SampleFormat::Csv)).unwrap();
    generate(&opts(c.path(), 400, 8, SampleFormat::Csv)).unwrap();
    assert_eq!(fa.len(), 8);
    for (f, t) in fa.iter().zip(TABLES) {
        assert_eq!(f, &a.path().join(format!("{t}.csv")));
    }
    all_files_equal(a.path(), b.path(), "csv");
    let ra = std::fs::read(a.path().join("企业名录.csv")).unwrap();
    let rc = std::fs::read(c.path().join("企业名录.csv")).unwrap();
    assert_ne!(ra, rc, "another seed gives other data");
}

#[test]
fn xlsx_is_deterministic() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let files = generate(&opts(a.path(), 200, 3, SampleFormat::Xlsx)).unwrap();
    generate(&opts(b.path(), 200, 3, SampleFormat::Xlsx)).unwrap();
    assert_eq!(files.len(), 8);
    for (f, t) in files.iter().zip(TABLES) {
        assert_eq!(f, &a.path().join(format!("{t}.xlsx")));
        let bytes = std::fs::read(f).unwrap();
        assert!(bytes.starts_with(b"PK"), "{t} is a zip");
    }
    all_files_equal(a.path(), b.path(), "xlsx");
}

#[test]
fn headers_are_exact() {
    let d = tempfile::tempdir().unwrap();
    generate(&opts(d.path(), 30, 1, SampleFormat::Csv)).unwrap();
    let want: [&[&str]; 8] = [
        &HEADERS_REGISTER,
        &HEADERS_LAND,
        &HEADERS_TAX,
        &HEADERS_OUTPUT,
        &HEADERS_ENERGY,
        &HEADERS_EVENTS,
        &HEADERS_ADJUST,
        &HEADERS_STD_LAND,
    ];
    for (t, h) in TABLES.iter().zip(want) {
        let rows = read_table(d.path(), t);
        assert_eq!(rows[0], h.iter().map(|s| s.to_string()).collect::<Vec<_>>(), "{t}");
        for r in &rows {
            assert_eq!(r.len(), h.len(), "{t}: ragged row {r:?}");
        }
    }
    assert_eq!(
        read_table(d.path(), "企业名录")[0].join(","),
        "统一社会信用代码,企业名称,所属园区,所属乡镇街道,行业代码,企业规模,成立日期,投产日期"
    );
}

#[test]
fn population_590() {
    let d = tempfile::tempdir().unwrap();
    generate(&opts(d.path(), 590, 2025, SampleFormat::Csv)).unwrap();
    let reg = read_table(d.path(), "企业名录");
    let body = &reg[1..];
    assert_eq!(body.len(), 590);

    // 规上 ≈ 190, 规下 ≈ 400 (±15 %).
    let gs = body.iter().filter(|r| r[5] == "规上").count();
    let gx = body.iter().filter(|r| r[5] == "规下").count();
    assert_eq!(gs + gx, 590);
    assert!((161..=219).contains(&gs), "规上 {gs}");
    assert!((340..=460).contains(&gx), "规下 {gx}");

    // Codes valid and unique, names unique.
    let mut codes = BTreeSet::new();
    let mut names = BTreeSet::new();
    for r in body {
        assert_eq!(credit_code::validate(&r[0]), Ok(()), "{}", r[0]);
        assert!(r[0].starts_with("91500102"));
        assert!(codes.insert(r[0].clone()), "duplicate code {}", r[0]);
        assert!(names.insert(r[1].clone()), "duplicate name {}", r[1]);
        assert!(r[1].ends_with("公司"));
        assert!(["涪陵高新区", "白涛工业园区", "涪陵综保区"].contains(&r[2].as_str()));
        assert!(r[4].len() == 4 && r[4].bytes().all(|b| b.is_ascii_digit()));
        assert!(is_date(&r[6]), "成立日期 {}", r[6]);
        assert!(r[7].is_empty() || (is_date(&r[7]) && r[7] > r[6]));
        assert!(&r[6][..4] >= "1995" && &r[6][..4] <= "2025");
    }
    let utilities =
        body.iter().filter(|r| r[4].starts_with("44") || r[4].starts_with("45")).count();
    assert!(utilities >= 2, "some utilities to exempt: {utilities}");
    let recent = body.iter().filter(|r| r[6].as_str() >= "2024-01-01").count();
    assert!((5..=50).contains(&recent), "recently registered {recent}");

    // Every other table refers to registered enterprises only.
    for t in &TABLES[1..] {
        for r in &read_table(d.path(), t)[1..] {
            assert!(codes.contains(&r[0]), "{t}: unknown code {}", r[0]);
        }
    }

    // Events: 2–3 vetoes, 1 fraud; 2 adjustments.
    let ev = read_table(d.path(), "加减分事项");
    let count = |name: &str| ev[1..].iter().filter(|r| r[1] == name).count();
    assert!((2..=3).contains(&count("重大安全事故")));
    assert_eq!(count("数据造假"), 1);
    assert!(count("专精特新\"小巨人\"") + count("高新技术企业") > 0);
    let bonus_firms: BTreeSet<_> = ev[1..]
        .iter()
        .filter(|r| {
            !["重大安全事故", "数据造假", "环境违法", "一般安全事故"].contains(&r[1].as_str())
        })
        .map(|r| &r[0])
        .collect();
    assert!((25..=80).contains(&bonus_firms.len()), "bonus firms {}", bonus_firms.len());
    for r in &ev[1..] {
        assert!(is_date(&r[2]) && r[2].starts_with("2025"));
        assert!(!r[3].is_empty());
    }
    let adj = read_table(d.path(), "调档");
    assert_eq!(adj.len(), 3);
    for r in &adj[1..] {
        assert!(["A", "B", "C", "D"].contains(&r[1].as_str()));
        assert!(!r[2].is_empty());
    }
    assert_ne!(adj[1][0], adj[2][0]);
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

#[test]
fn land_leases_match() {
    let d = tempfile::tempdir().unwrap();
    generate(&opts(d.path(), 1500, 11, SampleFormat::Csv)).unwrap();
    let land = read_table(d.path(), "用地");
    let reg = read_table(d.path(), "企业名录");
    let gs: BTreeMap<&str, bool> =
        reg[1..].iter().map(|r| (r[0].as_str(), r[5] == "规上")).collect();

    let mut leased_in: BTreeMap<(String, String, i64), usize> = BTreeMap::new();
    let mut leased_out: BTreeMap<(String, String, i64), usize> = BTreeMap::new();
    let mut certs = BTreeSet::new();
    let mut net: BTreeMap<&str, i64> = BTreeMap::new();
    let mut owners = BTreeSet::new();
    let mut small_gx = 0;
    for r in &land[1..] {
        let area = cents(&r[3]);
        assert!(area > 0, "area {}", r[3]);
        match r[2].as_str() {
            "自有" => {
                assert!(
                    r[1].starts_with("渝(")
                        && r[1].contains(")涪陵区不动产权第")
                        && r[1].ends_with('号')
                );
                assert!(certs.insert(r[1].clone()), "duplicate certificate {}", r[1]);
                assert!(r[4].is_empty());
                assert!(r[5].is_empty() || is_date(&r[5]));
                owners.insert(r[0].as_str());
                *net.entry(&r[0]).or_default() += area;
            }
            "承租" => {
                assert!(r[1].is_empty());
                assert!(credit_code::is_valid(&r[4]));
                *leased_in.entry((r[0].clone(), r[4].clone(), area)).or_default() += 1;
                *net.entry(&r[0]).or_default() += area;
            }
            "出租" => {
                assert!(certs.contains(&r[1]), "出租 on one of the landlord's own parcels");
                *leased_out.entry((r[4].clone(), r[0].clone(), area)).or_default() += 1;
                *net.entry(&r[0]).or_default() -= area;
            }
            other => panic!("用地方式 {other}"),
        }
    }
    assert!(!leased_out.is_empty());
    // Every 出租 row has its 承租 row (tenant, landlord, same area) and vice versa.
    assert_eq!(leased_in, leased_out);
    // Tenants hold only leased land and are 规下.
    let tenants: BTreeSet<&str> = leased_in.keys().map(|k| k.0.as_str()).collect();
    for t in &tenants {
        assert!(!owners.contains(t));
        assert!(!gs[t]);
    }
    let gx_total = gs.values().filter(|g| !**g).count();
    assert!(
        (tenants.len() as f64) > 0.05 * gx_total as f64
            && (tenants.len() as f64) < 0.15 * gx_total as f64
    );
    // Net evaluated land is positive for everyone with land; a few have none.
    for (c, v) in &net {
        assert!(*v > 0, "{c}: net land {v}");
        if !gs[c] && *v < 300 {
            small_gx += 1;
        }
    }
    let without = gs.len() - net.len();
    assert!((3..=40).contains(&without), "without land {without}");
    assert!(small_gx > 0, "some 规下 under 3 亩");
}

#[test]
fn tax_rows_sum_to_intended_total() {
    let (n, seed) = (800, 5);
    let d = tempfile::tempdir().unwrap();
    generate(&opts(d.path(), n, seed, SampleFormat::Csv)).unwrap();
    let world = World::build(n, seed, 2025);
    let tax = read_table(d.path(), "税收");
    let mut sum: BTreeMap<&str, i64> = BTreeMap::new();
    let mut kinds = BTreeSet::new();
    let mut negative = 0;
    for r in &tax[1..] {
        kinds.insert(r[1].as_str());
        let v = cents(&r[2]);
        if v < 0 {
            negative += 1;
        }
        if r[1] != "稽查查补" && !r[1].contains("一次性") {
            *sum.entry(&r[0]).or_default() += v;
        }
    }
    for k in [
        "增值税",
        "企业所得税",
        "个人所得税",
        "房产税",
        "城镇土地使用税",
        "印花税",
        "城市维护建设税",
        "教育费附加",
        "地方教育附加",
        "资源税",
        "稽查查补",
    ] {
        assert!(kinds.contains(k), "{k}");
    }
    assert!(negative <= n / 20);
    let mut zero = 0;
    let mut missing = 0;
    for e in &world.ents {
        match sum.get(e.code_str()) {
            None => missing += 1,
            Some(v) => {
                if *v == 0 {
                    zero += 1;
                } else {
                    assert_eq!(*v, e.tax_c, "{}", e.code_str());
                }
            }
        }
    }
    assert!((1..=30).contains(&zero), "zero tax {zero}");
    assert!((1..=25).contains(&missing), "no tax rows {missing}");
}

#[test]
fn output_and_energy_are_plausible() {
    let d = tempfile::tempdir().unwrap();
    generate(&opts(d.path(), 2000, 9, SampleFormat::Csv)).unwrap();
    let reg = read_table(d.path(), "企业名录");
    let gs: BTreeMap<&str, bool> =
        reg[1..].iter().map(|r| (r[0].as_str(), r[5] == "规上")).collect();
    let out = read_table(d.path(), "产出");
    let missing = 2000 - (out.len() - 1);
    assert!((5..=40).contains(&missing), "missing output rows {missing}");
    let mut neg_profit = 0;
    let mut va_by_code = BTreeMap::new();
    for r in &out[1..] {
        let (o, rev, va, p, rd) = (num(&r[1]), num(&r[2]), num(&r[3]), num(&r[4]), num(&r[5]));
        let emp: i64 = r[6].parse().unwrap();
        assert!(o >= 0.0 && rev >= 0.0 && va >= 0.0 && rd >= 0.0);
        assert!((10..=3000).contains(&emp));
        if o > 0.0 {
            let share = va / o;
            assert!((0.19..=0.36).contains(&share), "VA share {share}");
            if gs[r[0].as_str()] {
                assert!(rev >= 2000.0);
            } else {
                assert!(rev < 2000.0);
            }
        }
        if p < 0.0 {
            neg_profit += 1;
        }
        va_by_code.insert(r[0].clone(), va);
    }
    let share = neg_profit as f64 / (out.len() - 1) as f64;
    assert!((0.04..=0.14).contains(&share), "negative profit share {share}");

    let en = read_table(d.path(), "能耗");
    let missing = 2000 - (en.len() - 1);
    assert!((15..=70).contains(&missing), "missing energy rows {missing}");
    let (mut gs_blank, mut gs_n) = (0, 0);
    for r in &en[1..] {
        let e = num(&r[1]);
        let el = num(&r[2]);
        assert!(e > 0.0 && el > 0.0 && el <= e);
        for v in &r[3..7] {
            if !v.is_empty() {
                assert!(num(v) >= 0.0);
                assert_eq!(v.split('.').nth(1).map(str::len), Some(3), "3 decimals: {v}");
            }
        }
        if gs[r[0].as_str()] {
            gs_n += 1;
            if r[3].is_empty() {
                gs_blank += 1;
            }
        }
    }
    let share = gs_blank as f64 / gs_n as f64;
    assert!((0.04..=0.18).contains(&share), "规上 without emissions {share}");
}

#[test]
fn rejects_bad_options() {
    let d = tempfile::tempdir().unwrap();
    assert!(matches!(
        generate(&opts(d.path(), 0, 1, SampleFormat::Csv)),
        Err(SampleError::InvalidOptions(_))
    ));
    let mut o = opts(d.path(), 10, 1, SampleFormat::Csv);
    o.year = 1990;
    let err = generate(&o).unwrap_err();
    assert!(err.to_string().contains("1990"));
}

#[test]
fn tiny_populations_work() {
    for n in [1, 2, 5, 12] {
        let d = tempfile::tempdir().unwrap();
        let files = generate(&opts(d.path(), n, 42, SampleFormat::Csv)).unwrap();
        assert_eq!(files.len(), 8);
        assert_eq!(read_table(d.path(), "企业名录").len(), n + 1);
    }
}

#[test]
fn unwritable_output_names_the_path() {
    let d = tempfile::tempdir().unwrap();
    let file = d.path().join("not_a_dir");
    std::fs::write(&file, b"x").unwrap();
    let err = generate(&opts(&file.join("sub"), 5, 1, SampleFormat::Csv)).unwrap_err();
    assert!(matches!(err, SampleError::CreateDir { .. }));
    assert!(err.to_string().contains("not_a_dir"), "{err}");
}

/// Manual run: `MUJUN_SAMPLE_DIR=/tmp/s MUJUN_SAMPLE_N=1000000 MUJUN_SAMPLE_FORMAT=csv \
/// cargo test --release --lib sample::tests::dump -- --ignored --nocapture`
#[test]
#[ignore]
fn dump() {
    let dir = std::env::var("MUJUN_SAMPLE_DIR").unwrap_or_else(|_| "/tmp/mujun_sample".into());
    let n = std::env::var("MUJUN_SAMPLE_N").ok().and_then(|s| s.parse().ok()).unwrap_or(590);
    let format = match std::env::var("MUJUN_SAMPLE_FORMAT").as_deref() {
        Ok("xlsx") => SampleFormat::Xlsx,
        _ => SampleFormat::Csv,
    };
    let t = std::time::Instant::now();
    let files = generate(&SampleOptions {
        enterprises: n,
        seed: 2025,
        format,
        out: dir.into(),
        year: 2025,
        first_year: None,
    })
    .unwrap();
    eprintln!("{n} enterprises in {:.2?}", t.elapsed());
    for f in files {
        eprintln!(
            "  {} ({} bytes)",
            f.display(),
            std::fs::metadata(&f).map(|m| m.len()).unwrap_or(0)
        );
    }
}

#[test]
fn xlsx_reads_back() {
    use calamine::{open_workbook, Data, Reader, Xlsx};
    let d = tempfile::tempdir().unwrap();
    generate(&opts(d.path(), 120, 4, SampleFormat::Xlsx)).unwrap();
    let c = tempfile::tempdir().unwrap();
    generate(&opts(c.path(), 120, 4, SampleFormat::Csv)).unwrap();
    for t in TABLES {
        let mut wb: Xlsx<_> = open_workbook(d.path().join(format!("{t}.xlsx"))).unwrap();
        assert_eq!(wb.sheet_names(), vec![t.to_string()]);
        let range = wb.worksheet_range(t).unwrap();
        let csv = read_table(c.path(), t);
        assert_eq!(range.height(), csv.len(), "{t}");
        for (xr, cr) in range.rows().zip(&csv) {
            for (j, cv) in cr.iter().enumerate() {
                match xr.get(j).unwrap_or(&Data::Empty) {
                    Data::Empty => assert!(cv.is_empty(), "{t}: {cv:?} blank in xlsx"),
                    Data::String(s) => assert_eq!(s, cv, "{t}"),
                    Data::Float(f) => assert!((f - num(cv)).abs() < 1e-9, "{t}: {f} vs {cv}"),
                    other => panic!("{t}: unexpected cell {other:?}"),
                }
            }
        }
    }
}

#[test]
fn std_land_projects_cover_the_land_bureau_cases() {
    let d = tempfile::tempdir().unwrap();
    generate(&opts(d.path(), 590, 2025, SampleFormat::Csv)).unwrap();
    let rows = read_table(d.path(), "标准地");
    let body = &rows[1..];
    assert!((30..=60).contains(&body.len()), "{} projects", body.len());
    let ids: BTreeSet<&String> = body.iter().map(|r| &r[1]).collect();
    assert_eq!(ids.len(), body.len(), "宗地编号 unique");
    let holders: BTreeSet<&String> = body.iter().map(|r| &r[0]).collect();
    assert_eq!(holders.len(), body.len(), "one project per holder");
    for r in body {
        for j in [6, 7, 8] {
            assert!(is_date(&r[j]), "{r:?}");
        }
        for j in [9, 10, 11] {
            assert!(r[j].is_empty() || is_date(&r[j]), "{r:?}");
        }
        assert!(r[7] > r[6] && r[8] > r[7], "sale < agreed start < agreed completion: {r:?}");
        assert!(r[10].is_empty() || r[10] > r[9], "{r:?}");
        assert!(num(&r[4]) > 0.0);
    }
    // Unstarted, stopped, not yet due, and a missing land price are all there.
    assert!(body.iter().filter(|r| r[9].is_empty()).count() >= 4);
    assert!(body.iter().any(|r| !r[11].is_empty()));
    assert!(body.iter().any(|r| r[8].as_str() > "2025-12-31"));
    assert!(body.iter().any(|r| r[5].is_empty()));
    // Small populations still get a project.
    let s = tempfile::tempdir().unwrap();
    generate(&opts(s.path(), 3, 1, SampleFormat::Csv)).unwrap();
    assert_eq!(read_table(s.path(), "标准地").len(), 2);
}

// ---------------------------------------------------------------- consecutive years

fn years_opts(dir: &Path, n: usize, seed: u64, first: i32, last: i32) -> SampleOptions {
    SampleOptions {
        enterprises: n,
        seed,
        format: SampleFormat::Csv,
        out: dir.to_path_buf(),
        year: last,
        first_year: Some(first),
    }
}

/// The register as code → row.
fn register(dir: &Path) -> BTreeMap<String, Vec<String>> {
    read_table(dir, "企业名录")[1..].iter().map(|r| (r[0].clone(), r.clone())).collect()
}

/// Owned parcels as certificate → holder.
fn holders(dir: &Path) -> BTreeMap<String, String> {
    read_table(dir, "用地")[1..]
        .iter()
        .filter(|r| r[2] == "自有")
        .map(|r| (r[1].clone(), r[0].clone()))
        .collect()
}

#[test]
fn the_latest_of_consecutive_years_is_the_single_year_byte_for_byte() {
    let (single, years) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    generate(&opts(single.path(), 590, 2025, SampleFormat::Csv)).unwrap();
    let files = generate(&years_opts(years.path(), 590, 2025, 2023, 2025)).unwrap();
    // One folder per year, every table in each, the earliest first.
    assert_eq!(files.len(), 3 * TABLES.len());
    assert!(files[0].ends_with("2023/企业名录.csv"), "{}", files[0].display());
    assert!(files[3 * TABLES.len() - 1].ends_with("2025/标准地.csv"));
    all_files_equal(single.path(), &years.path().join("2025"), "csv");

    // The shipped samples are `mujun sample --years 2024-2025` (the defaults otherwise).
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    for y in ["2024", "2025"] {
        let again = tempfile::tempdir().unwrap();
        generate(&years_opts(again.path(), 590, 2025, 2024, 2025)).unwrap();
        all_files_equal(&shipped.join(y), &again.path().join(y), "csv");
    }
}

#[test]
fn consecutive_years_are_deterministic_and_seed_dependent() {
    let (a, b, c) =
        (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    generate(&years_opts(a.path(), 300, 7, 2021, 2024)).unwrap();
    generate(&years_opts(b.path(), 300, 7, 2021, 2024)).unwrap();
    generate(&years_opts(c.path(), 300, 8, 2021, 2024)).unwrap();
    for y in 2021..=2024 {
        let y = y.to_string();
        all_files_equal(&a.path().join(&y), &b.path().join(&y), "csv");
        let reg = |d: &tempfile::TempDir| std::fs::read(d.path().join(&y).join("企业名录.csv"));
        assert_ne!(reg(&a).unwrap(), reg(&c).unwrap(), "{y}: another seed, other firms");
    }
    // Years before the first are not written; a folder per year and nothing else.
    let mut dirs: Vec<String> = std::fs::read_dir(a.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    dirs.sort();
    assert_eq!(dirs, ["2021", "2022", "2023", "2024"]);
}

/// The shipped 2024 and 2025: the same enterprises, with the changes a bureau meets between
/// two years (read off the files).
#[test]
fn the_shipped_years_share_their_enterprises() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let (y24, y25) = (root.join("2024"), root.join("2025"));
    let (r24, r25) = (register(&y24), register(&y25));
    assert_eq!((r24.len(), r25.len()), (586, 590));
    let shared = r24.keys().filter(|c| r25.contains_key(*c)).count();
    assert_eq!(shared, 579, "7 left after 2024, 11 are new in 2025");

    // Registered in 2025: only in 2025's register.
    let new = "91500102MA0GPEPTTQ";
    assert_eq!(r25[new][1..3], ["重庆立诚食品有限公司", "白涛工业园区"]);
    assert_eq!(r25[new][6], "2025-03-06");
    assert!(!r24.contains_key(new));
    // Moved in from outside the district in 2025 (registered in 2003).
    assert_eq!(r25["915001022513290623"][1], "重庆福源装备制造有限公司");
    assert!(!r24.contains_key("915001022513290623"));
    // Left after 2024: only in 2024's register, and its parcel with another holder in 2025.
    let gone = "91500102561819964M";
    assert_eq!(r24[gone][1], "重庆市涪陵区正巴威铝业有限公司");
    assert!(!r25.contains_key(gone));
    let (h24, h25) = (holders(&y24), holders(&y25));
    let sold = "渝(2016)涪陵区不动产权第000867号";
    assert_eq!((h24[sold].as_str(), h25[sold].as_str()), (gone, "91500102MA5RRR6E4W"));
    // A parcel sold between two firms that both stay.
    let sold = "渝(2018)涪陵区不动产权第002394号";
    assert_eq!(
        (h24[sold].as_str(), h25[sold].as_str()),
        ("915001026004113055", "91500102555335525A")
    );
    assert!(r25.contains_key("915001026004113055") && r24.contains_key("91500102555335525A"));
    let changed = h24.iter().filter(|(c, h)| h25.get(*c).is_some_and(|h2| h2 != *h)).count();
    assert_eq!(changed, 3, "three parcels changed hands");

    // Renamed: one code, the old name in 2024 and the new one in 2025, all else equal.
    let (old, now) = (&r24["915001025224358457"], &r25["915001025224358457"]);
    assert_eq!(
        (old[1].as_str(), now[1].as_str()),
        ("重庆锦盛铝业有限公司", "重庆汇信铝材有限公司")
    );
    assert_eq!(old[2..], now[2..]);
    // Moved park: 涪陵综保区 (李渡街道) in 2024, 白涛工业园区 (焦石镇) in 2025.
    let (old, now) = (&r24["91500102MA5DT02DUG"], &r25["91500102MA5DT02DUG"]);
    assert_eq!(now[1], "重庆创佳汽车部件有限公司");
    assert_eq!((&old[2][..], &old[3][..]), ("涪陵综保区", "李渡街道"));
    assert_eq!((&now[2][..], &now[3][..]), ("白涛工业园区", "焦石镇"));
    let renamed = r24.iter().filter(|(c, r)| r25.get(*c).is_some_and(|n| n[1] != r[1])).count();
    let moved = r24.iter().filter(|(c, r)| r25.get(*c).is_some_and(|n| n[2] != r[2])).count();
    assert_eq!((renamed, moved), (5, 4));
}

/// One year's register (code → row), parcel areas (certificate → 0.01 亩) and 工业总产值.
type Year = (BTreeMap<String, Vec<String>>, BTreeMap<String, i64>, BTreeMap<String, f64>);

/// Over five generated years: each year a complete, consistent data folder, dated in its year;
/// between two years the same firm keeps its code, industry, scale and registration date, a
/// parcel its certificate and area, and figures grow a little (a few decline).
#[test]
fn every_year_is_whole_and_years_follow_each_other() {
    let d = tempfile::tempdir().unwrap();
    generate(&years_opts(d.path(), 2000, 11, 2021, 2025)).unwrap();
    // The year before: its register, parcel areas by certificate, 工业总产值 by code.
    let mut prev: Option<Year> = None;
    for y in 2021..=2025 {
        let dir = d.path().join(y.to_string());
        let reg = register(&dir);
        let end = format!("{y}-12-31");
        let mut names = BTreeSet::new();
        for r in reg.values() {
            assert_eq!(credit_code::validate(&r[0]), Ok(()), "{y}: {}", r[0]);
            assert!(names.insert(r[1].clone()), "{y}: duplicate name {}", r[1]);
            assert!(r[6] <= end && (r[7].is_empty() || r[7] <= end), "{y}: dates {r:?}");
        }
        for t in &TABLES[1..] {
            for r in &read_table(&dir, t)[1..] {
                assert!(reg.contains_key(&r[0]), "{y} {t}: unknown code {}", r[0]);
            }
        }
        // Land: certificates registered by the year's end, leases matched on own parcels.
        let land = read_table(&dir, "用地");
        let mut area: BTreeMap<String, i64> = BTreeMap::new();
        let mut own: BTreeSet<(String, String)> = BTreeSet::new();
        for r in land[1..].iter().filter(|r| r[2] == "自有") {
            let cert_year: i32 = r[1][4..8].parse().unwrap();
            assert!(cert_year <= y, "{y}: {}", r[1]);
            assert!(r[5].is_empty() || r[5] <= end, "{y}: 供地日期 {}", r[5]);
            assert!(area.insert(r[1].clone(), cents(&r[3])).is_none(), "{y}: twice {}", r[1]);
            own.insert((r[0].clone(), r[1].clone()));
        }
        let lease = |kind: &str, swap: bool| -> BTreeSet<(String, String, i64)> {
            land[1..]
                .iter()
                .filter(|r| r[2] == kind)
                .map(|r| {
                    let (a, b) = if swap { (&r[4], &r[0]) } else { (&r[0], &r[4]) };
                    (a.clone(), b.clone(), cents(&r[3]))
                })
                .collect()
        };
        assert_eq!(lease("承租", false), lease("出租", true), "{y}: leases");
        for r in land[1..].iter().filter(|r| r[2] == "出租") {
            assert!(own.contains(&(r[0].clone(), r[1].clone())), "{y}: 出租 off own land {r:?}");
        }
        for r in &read_table(&dir, "加减分事项")[1..] {
            assert!(r[2].starts_with(&y.to_string()), "{y}: event dated {}", r[2]);
        }
        let output: BTreeMap<String, f64> =
            read_table(&dir, "产出")[1..].iter().map(|r| (r[0].clone(), num(&r[1]))).collect();

        if let Some((reg0, area0, out0)) = &prev {
            for (c, r0) in reg0.iter().filter(|(c, _)| reg.contains_key(*c)) {
                let r = &reg[c];
                assert_eq!((&r0[4], &r0[5], &r0[6]), (&r[4], &r[5], &r[6]), "{y}: {c}");
            }
            for (cert, a0) in area0 {
                if let Some(a) = area.get(cert) {
                    assert_eq!(a0, a, "{y}: {cert}");
                }
            }
            let mut growth: Vec<f64> = out0
                .iter()
                .filter_map(|(c, v0)| output.get(c).map(|v| (v0, v)))
                .filter(|(v0, v)| **v0 > 0.0 && **v > 0.0)
                .map(|(v0, v)| v / v0)
                .collect();
            growth.sort_by(f64::total_cmp);
            let median = growth[growth.len() / 2];
            let declines = growth.iter().filter(|g| **g < 1.0).count() as f64 / growth.len() as f64;
            assert!((1.02..=1.10).contains(&median), "{y}: median growth {median}");
            assert!((0.15..=0.45).contains(&declines), "{y}: share declining {declines}");
            // Some firms came, some went.
            assert!(reg.keys().any(|c| !reg0.contains_key(c)), "{y}: none new");
            assert!(reg0.keys().any(|c| !reg.contains_key(c)), "{y}: none left");
        }
        prev = Some((reg, area, output));
    }
}

#[test]
fn consecutive_years_outside_the_range_are_refused() {
    let d = tempfile::tempdir().unwrap();
    let e = generate(&years_opts(d.path(), 10, 1, 2026, 2025)).unwrap_err();
    assert!(e.to_string().contains("起始年度2026"), "{e}");
    let e = generate(&years_opts(d.path(), 10, 1, 1999, 2025)).unwrap_err();
    assert!(e.to_string().contains("起始年度1999应在2000至评价年度2025之间"), "{e}");
    let e = generate(&years_opts(d.path(), 10, 1, 2000, 2030)).unwrap_err();
    assert!(e.to_string().contains("2000–2030共31年，超过上限30年"), "{e}");
    assert!(generate(&years_opts(d.path(), 10, 1, 2001, 2030)).is_ok(), "30 years are allowed");
}
