//! 结果 over HTTP: a run's page and its counts, the firm table (search, filters, paging,
//! sorting), the firm card, the downloads — for the bureau, and for a park user who must never
//! see another park (404 and an audit entry). Expected figures are read from the CLI's own
//! results CSV in the test (parsed here with the csv crate), never from the store's queries.

use std::collections::BTreeMap;

use reqwest::{Method, StatusCode};

use crate::serve::{assert_no_inline_code, entities, register_firms};
use crate::serve_harness::*;

/// The results CSV `mujun evaluate` wrote for run 1.
const CSV: &str = "2025年度亩均效益评价结果.csv";
/// The park workbooks it wrote.
const GX_BOOK: &str = "园区/2025年度亩均效益评价_涪陵高新区.xlsx";
const ZB_BOOK: &str = "园区/2025年度亩均效益评价_涪陵综保区.xlsx";
/// The bureau's workbook.
const BUREAU_BOOK: &str = "2025年度亩均效益评价结果.xlsx";

/// The CLI's results CSV as records of (column → field), read independently of the store.
fn csv_records(bench: &Bench) -> Vec<BTreeMap<String, String>> {
    let bytes = bench.cli_file(CSV);
    let mut rdr = csv::ReaderBuilder::new().from_reader(bytes.as_slice());
    let header: Vec<String> = rdr
        .headers()
        .unwrap()
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_string())
        .collect();
    rdr.records()
        .map(|r| header.iter().cloned().zip(r.unwrap().iter().map(str::to_string)).collect())
        .collect()
}

fn field<'r>(r: &'r BTreeMap<String, String>, k: &str) -> &'r str {
    r.get(k).map(String::as_str).unwrap_or("")
}

/// A download link's path.
fn download_path(name: &str) -> String {
    let parts: Vec<String> = name.split('/').map(enc).collect();
    format!("/runs/1/downloads/{}", parts.join("/"))
}

#[test]
fn the_bureau_sees_every_parks_tier_counts_as_the_cli_wrote_them() {
    let bench = Bench::with_run();
    let server = bench.serve(&[]);
    let records = csv_records(&bench);
    // Counted from the CSV: evaluated firms per (park, tier).
    let mut want: BTreeMap<(String, String), i64> = BTreeMap::new();
    for r in records.iter().filter(|r| field(r, "status") == "evaluated") {
        *want.entry((field(r, "park").into(), field(r, "tier").into())).or_default() += 1;
    }
    // The CLI printed 涪陵高新区 A 45 B 92 C 94 D 13 — the CSV says the same.
    assert_eq!(want[&("涪陵高新区".to_string(), "A".to_string())], 45);
    assert_eq!(want[&("涪陵综保区".to_string(), "D".to_string())], 7);
    let v = server.login(BUREAU).json("/api/runs/1");
    assert_eq!(v["run"]["year"], 2025);
    assert_eq!(v["evaluated"], 491);
    assert_eq!(v["not_evaluated"], 590 - 491);
    let tiers: Vec<String> = serde_json::from_value(v["tiers"].clone()).unwrap();
    assert_eq!(tiers, ["A", "B", "C", "D"]);
    let parks: Vec<&str> =
        v["by_park"].as_array().unwrap().iter().map(|r| r["label"].as_str().unwrap()).collect();
    assert_eq!(
        parks,
        ["涪陵综保区", "涪陵高新区", "白涛工业园区"],
        "the three parks, in text order"
    );
    for row in v["by_park"].as_array().unwrap() {
        let park = row["label"].as_str().unwrap();
        for (i, t) in tiers.iter().enumerate() {
            let n = want.get(&(park.to_string(), t.clone())).copied().unwrap_or(0);
            assert_eq!(row["counts"][i], n, "{park} {t}");
        }
    }
    // Group × park rows add up to the park rows.
    let gp: i64 =
        v["by_group_park"].as_array().unwrap().iter().map(|r| r["total"].as_i64().unwrap()).sum();
    assert_eq!(gp, 491);
    // The distribution: [60, 70) counted from the CSV's totals (bin 10, the default).
    let in_60s = records
        .iter()
        .filter(|r| field(r, "status") == "evaluated")
        .filter(|r| (60.0..70.0).contains(&field(r, "total").parse::<f64>().unwrap()))
        .count() as i64;
    let bins = v["distribution"].as_array().unwrap();
    let sixties = bins.iter().find(|b| b["from"] == 60.0).expect("a bin from 60");
    assert_eq!(sixties["firms"], in_60s);
    assert_eq!(bins.iter().map(|b| b["firms"].as_i64().unwrap()).sum::<i64>(), 491);
    // The page: the table, an SVG chart, links to the firms and downloads.
    let (status, page) = server.login(BUREAU).text("/runs/1");
    assert_eq!(status, StatusCode::OK);
    for park in PARKS {
        assert!(page.contains(park), "{park}");
    }
    assert!(page.contains("<svg") && page.contains("bar bar-A"));
    assert!(page.contains("/runs/1/firms") && page.contains("/runs/1/downloads"));
    assert!(
        server.login(BUREAU).text("/").1.contains("href=\"/runs/1\""),
        "linked from the runs list"
    );
}

#[test]
fn a_park_user_sees_its_own_parks_counts_and_firms_only() {
    let bench = Bench::with_run();
    let server = bench.serve(&[]);
    let web = server.login(PARK);
    let v = web.json("/api/runs/1");
    assert_eq!(v["by_park"].as_array().unwrap().len(), 1);
    assert_eq!(v["by_park"][0]["label"], "涪陵高新区");
    // 45 + 92 + 94 + 13 = 244 evaluated in 涪陵高新区 (the CLI's summary).
    assert_eq!(v["evaluated"], 244);
    let firms = web.json("/api/runs/1/firms?size=200");
    assert_eq!(firms["matching"], register_firms("涪陵高新区"));
    let parks: Vec<String> = serde_json::from_value(firms["facets"]["parks"].clone()).unwrap();
    assert_eq!(parks, ["涪陵高新区"]);
    for path in
        ["/runs/1", "/runs/1/firms", "/runs/1/downloads", "/api/runs/1", "/api/runs/1/firms"]
    {
        let (_, page) = web.text(path);
        for other in [PARKS[1], PARKS[2]] {
            assert!(!page.contains(other), "{path} names {other}");
        }
    }
    // A search that matches another park's firm finds nothing for it.
    let q = format!("/api/runs/1/firms?q={}", enc("白美生物"));
    assert_eq!(web.json(&q)["matching"], 0);
}

/// Σ tax ÷ Σ land_mu over the CSV's evaluated records that `keep` keeps (a blank counts 0,
/// as the reports count it): the per-mu tax of a scope, by hand.
fn tax_per_mu(
    records: &[BTreeMap<String, String>],
    keep: impl Fn(&BTreeMap<String, String>) -> bool,
) -> (i64, f64) {
    let num = |r: &BTreeMap<String, String>, k: &str| field(r, k).parse::<f64>().unwrap_or(0.0);
    let rows: Vec<_> =
        records.iter().filter(|r| field(r, "status") == "evaluated" && keep(r)).collect();
    let (tax, land) =
        rows.iter().fold((0.0, 0.0), |(t, l), r| (t + num(r, "tax"), l + num(r, "land_mu")));
    (rows.len() as i64, tax / land)
}

fn close(got: &serde_json::Value, want: f64, what: &str) {
    let got = got.as_f64().unwrap_or_else(|| panic!("{what}: {got}"));
    assert!((got - want).abs() <= 1e-9 * want.abs(), "{what}: {got} ≠ {want}");
}

#[test]
fn per_mu_figures_of_parks_and_clusters_are_the_csvs_sums_divided() {
    let bench = Bench::with_run();
    let server = bench.serve(&[]);
    let records = csv_records(&bench);
    let v = server.login(BUREAU).json("/api/runs/1");
    let rows = v["per_mu"].as_array().unwrap();
    let find = |park: Option<&str>, cluster: Option<&str>| {
        rows.iter()
            .find(|r| r["park"].as_str() == park && r["cluster"].as_str() == cluster)
            .unwrap_or_else(|| panic!("a row for {park:?} {cluster:?}"))
    };
    // The district: all 491 evaluated firms, Σ tax ÷ Σ land.
    let (n, want) = tax_per_mu(&records, |_| true);
    assert_eq!(n, 491);
    assert_eq!(find(None, None)["firms"], 491);
    close(&find(None, None)["tax_per_mu"], want, "全区");
    for park in PARKS {
        let (n, want) = tax_per_mu(&records, |r| field(r, "park") == park);
        assert_eq!(find(Some(park), None)["firms"], n, "{park}");
        close(&find(Some(park), None)["tax_per_mu"], want, park);
    }
    let clusters: std::collections::BTreeSet<String> = records
        .iter()
        .filter(|r| field(r, "status") == "evaluated")
        .map(|r| field(r, "cluster").to_string())
        .collect();
    assert!(clusters.len() >= 2, "the sample year has several clusters: {clusters:?}");
    for c in &clusters {
        let (n, want) = tax_per_mu(&records, |r| field(r, "cluster") == c);
        assert_eq!(find(None, Some(c))["firms"], n, "{c}");
        close(&find(None, Some(c))["tax_per_mu"], want, c);
    }
    // The bureau is not shown the parks' clusters: district, parks and clusters only.
    assert_eq!(rows.len(), 1 + PARKS.len() + clusters.len());
    let (_, page) = server.login(BUREAU).text("/runs/1");
    assert!(page.contains("id=\"per-mu-parks\"") && page.contains("id=\"per-mu-clusters\""));
    assert!(page.contains("全区（全部参评企业）"));

    // A park user: the district as one aggregate row, its park, and its park's clusters.
    let park = "涪陵高新区";
    let v = server.login(PARK).json("/api/runs/1");
    let rows = v["per_mu"].as_array().unwrap();
    assert!(rows
        .iter()
        .all(|r| r["park"].is_null() && r["cluster"].is_null() || r["park"] == park));
    assert_eq!(rows.iter().filter(|r| r["park"].is_null()).count(), 1, "only the district row");
    let mine: Vec<&serde_json::Value> = rows.iter().filter(|r| !r["cluster"].is_null()).collect();
    assert!(!mine.is_empty());
    for r in mine {
        let c = r["cluster"].as_str().unwrap();
        let (n, want) =
            tax_per_mu(&records, |x| field(x, "park") == park && field(x, "cluster") == c);
        assert_eq!(r["firms"], n, "{park} {c}");
        close(&r["tax_per_mu"], want, c);
    }
}

#[test]
fn a_search_finds_a_name_by_any_part_and_a_code_by_its_beginning() {
    let bench = Bench::with_run();
    let server = bench.serve(&[]);
    let records = csv_records(&bench);
    let web = server.login(BUREAU);
    for part in ["白美生物", "装备制造", "有限公司"] {
        let want = records.iter().filter(|r| field(r, "name").contains(part)).count() as i64;
        assert!(want > 0, "{part}");
        let got = web.json(&format!("/api/runs/1/firms?q={}", enc(part)));
        assert_eq!(got["matching"], want, "{part}");
    }
    let one = web.json(&format!("/api/runs/1/firms?q={}", enc("白美生物")));
    assert_eq!(one["rows"][0]["code"], OTHER_PARK_CODE);
    let prefix = &OTHER_PARK_CODE[..10];
    let want = records.iter().filter(|r| field(r, "code").starts_with(prefix)).count() as i64;
    let got = web.json(&format!("/api/runs/1/firms?q={}", prefix.to_lowercase()));
    assert_eq!(got["matching"], want, "a code prefix, in lower case too");
    assert!(got["rows"].as_array().unwrap().iter().any(|r| r["code"] == OTHER_PARK_CODE));
}

#[test]
fn filters_paging_and_sorting_answer_as_the_csv_says() {
    let bench = Bench::with_run();
    let server = bench.serve(&[]);
    let records = csv_records(&bench);
    let web = server.login(BUREAU);
    // 涪陵综保区's firms of final tier D (not evaluated ones are managed as a tier too).
    let want = records
        .iter()
        .filter(|r| field(r, "park") == "涪陵综保区" && field(r, "tier") == "D")
        .count() as i64;
    let path = format!("/api/runs/1/firms?park={}&tier=D", enc("涪陵综保区"));
    let got = web.json(&path);
    assert_eq!(got["matching"], want);
    for r in got["rows"].as_array().unwrap() {
        assert_eq!((r["park"].as_str(), r["tier"].as_str()), (Some("涪陵综保区"), Some("D")));
    }
    // A cluster and a group filter.
    let with_cluster = records.iter().find(|r| !field(r, "cluster").is_empty()).unwrap();
    let cluster = field(with_cluster, "cluster").to_string();
    let group = field(with_cluster, "group").to_string();
    let want = records
        .iter()
        .filter(|r| field(r, "cluster") == cluster && field(r, "group") == group)
        .count() as i64;
    let path = format!("/api/runs/1/firms?cluster={}&group={}", enc(&cluster), enc(&group));
    assert_eq!(web.json(&path)["matching"], want, "{cluster} {group}");

    // 590 firms by 40: 14 full pages and 590 − 14 × 40 = 30 on the 15th.
    let p1 = web.json("/api/runs/1/firms?size=40&page=1");
    assert_eq!((p1["matching"].as_i64(), p1["pages"].as_i64()), (Some(590), Some(15)));
    assert_eq!(p1["rows"].as_array().unwrap().len(), 40);
    let p15 = web.json("/api/runs/1/firms?size=40&page=15");
    assert_eq!(p15["rows"].as_array().unwrap().len(), 30);
    assert_eq!(web.json("/api/runs/1/firms?size=40&page=16")["rows"].as_array().unwrap().len(), 0);
    assert_eq!(web.json("/api/runs/1/firms?size=100000")["per_page"], 200, "capped");
    // Every firm once over the pages.
    let mut codes: Vec<String> = Vec::new();
    for page in 1..=15 {
        let p = web.json(&format!("/api/runs/1/firms?size=40&page={page}"));
        codes.extend(
            p["rows"].as_array().unwrap().iter().map(|r| r["code"].as_str().unwrap().to_string()),
        );
    }
    codes.sort();
    codes.dedup();
    assert_eq!(codes.len(), 590);

    // Sorted by total, highest first: the CSV's highest total leads.
    let top = records
        .iter()
        .filter_map(|r| field(r, "total").parse::<f64>().ok())
        .fold(f64::MIN, f64::max);
    let by_total = web.json("/api/runs/1/firms?sort=total&order=desc&size=200");
    let totals: Vec<f64> =
        by_total["rows"].as_array().unwrap().iter().map(|r| r["total"].as_f64().unwrap()).collect();
    assert!((totals[0] - top).abs() < 1e-9, "{} vs {top}", totals[0]);
    assert!(totals.windows(2).all(|w| w[0] >= w[1]), "descending");
    let by_name = web.json("/api/runs/1/firms?sort=name&size=200");
    let names: Vec<&str> =
        by_name["rows"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert!(names.windows(2).all(|w| w[0] <= w[1]), "ascending by name");
    // Not evaluated firms (no rank) come after every ranked one.
    let by_rank = web.json("/api/runs/1/firms?sort=rank&page=12&size=50");
    let last = by_rank["rows"].as_array().unwrap().last().cloned().unwrap();
    assert_eq!(last["evaluated"], false);
    // A sort that is not one of the four, and a page that is no number, are refused by name.
    for bad in
        ["sort=csv_line", "sort=rank%3B%20DROP%20TABLE%20results", "order=sideways", "page=x"]
    {
        let r = web.get(&format!("/api/runs/1/firms?{bad}"));
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{bad}");
        let e: serde_json::Value = r.json().unwrap();
        assert!(e["error"].as_str().unwrap().contains(bad.split('=').next().unwrap()), "{e}");
    }
    // The page: the filter form, paging links that keep the filters.
    let (status, page) = web.text(&format!("/runs/1/firms?park={}&size=20", enc("涪陵综保区")));
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<form class=\"filters"), "the filter form");
    assert!(
        entities(&page).contains(&format!("park={}&amp;", enc("涪陵综保区"))),
        "links keep the filter"
    );
    assert!(page.contains("下一页"));
}

#[test]
fn a_firm_card_shows_the_indicator_values_the_cli_wrote_for_it() {
    let bench = Bench::with_run();
    let server = bench.serve(&[]);
    let records = csv_records(&bench);
    let line = records.iter().find(|r| field(r, "code") == OTHER_PARK_CODE).unwrap();
    let web = server.login(BUREAU);
    let card = web.json(&format!("/api/runs/1/firms/{OTHER_PARK_CODE}"));
    assert_eq!(card["name"], OTHER_PARK_NAME);
    assert_eq!(card["evaluated"], true);
    let inds = card["indicators"].as_array().unwrap();
    assert!(!inds.is_empty());
    for ind in inds {
        let id = ind["id"].as_str().unwrap();
        for (part, shown) in [("value", "value"), ("benchmark", "benchmark"), ("score", "score")] {
            let written = field(line, &format!("{id}.{part}"));
            let shown = ind[shown].as_str().unwrap();
            match written.parse::<f64>() {
                Ok(w) => assert!(
                    (w - shown.parse::<f64>().unwrap()).abs() < 1e-4,
                    "{id}.{part}: {written} vs {shown}"
                ),
                Err(_) => assert_eq!(shown, written, "{id}.{part}"),
            }
        }
        assert!(
            !ind["weight"].as_str().unwrap().is_empty(),
            "{id}: a weight from the stored rules"
        );
    }
    let fact = |k: &str| {
        card["facts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f[0] == k)
            .map(|f| f[2].as_str().unwrap().to_string())
    };
    assert_eq!(fact("tier").as_deref(), Some(field(line, "tier")));
    assert_eq!(fact("tier_by_score").as_deref(), Some(field(line, "tier_by_score")));
    assert_eq!(fact("rank").as_deref(), Some(field(line, "rank")));
    assert_eq!(card["next_tier"], field(line, "next_tier"));
    assert_eq!(card["history"][0]["year"], 2025);
    let (status, page) = web.text(&format!("/runs/1/firms/{OTHER_PARK_CODE}"));
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(OTHER_PARK_NAME) && page.contains("id=\"indicators\""));
    assert_eq!(web.get("/runs/1/firms/NOSUCHCODE0000000").status(), StatusCode::NOT_FOUND);
}

#[test]
fn a_park_user_asking_for_another_parks_card_search_or_workbook_gets_404_and_is_logged() {
    let bench = Bench::with_run();
    let server = bench.serve(&[]);
    let web = server.login(PARK);
    let (status, missing) = web.text("/runs/1/firms/NOSUCHCODE0000000");
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(audit_entries(&bench.db(), "越权访问").is_empty(), "a missing firm is no trespass");
    let tries = [
        format!("/runs/1/firms/{OTHER_PARK_CODE}"),
        format!("/api/runs/1/firms/{OTHER_PARK_CODE}"),
        format!("/runs/1/firms?park={}", enc("涪陵综保区")),
        format!("/api/runs/1/firms?park={}", enc("白涛工业园区")),
        download_path(ZB_BOOK),
        download_path(BUREAU_BOOK),
        download_path(CSV),
    ];
    for path in &tries {
        let (status, page) = web.text(path);
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(!page.contains(OTHER_PARK_NAME) && !page.contains("涪陵综保区"), "{path}: {page}");
        if !path.starts_with("/api/") {
            assert_eq!(page, missing, "{path}: the same page as a missing thing");
        }
    }
    let log = audit_entries(&bench.db(), "越权访问");
    assert_eq!(log.len(), tries.len(), "{log:?}");
    assert!(log.iter().all(|(user, _)| user == PARK));
    assert!(log[0].1.contains(OTHER_PARK_CODE));
    // Its own park's card and workbook are there; the listing offers that workbook only.
    let own = web.json("/api/runs/1/firms?size=1")["rows"][0]["code"].as_str().unwrap().to_string();
    assert_eq!(web.get(&format!("/runs/1/firms/{own}")).status(), StatusCode::OK);
    let files = web.json("/api/runs/1/downloads");
    let names: Vec<&str> =
        files["files"].as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap()).collect();
    assert_eq!(names, [GX_BOOK]);
    assert_eq!(audit_entries(&bench.db(), "越权访问").len(), tries.len());
}

#[test]
fn downloads_are_the_bytes_mujun_evaluate_wrote() {
    let bench = Bench::with_run();
    let server = bench.serve(&[]);
    let park = server.login(PARK);
    let r = park.get(&download_path(GX_BOOK));
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        r.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert!(r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment; filename*=UTF-8''"));
    assert_eq!(r.bytes().unwrap().to_vec(), bench.cli_file(GX_BOOK), "byte-identical");
    let api = park.get(&download_path(GX_BOOK).replacen("/runs/", "/api/runs/", 1));
    assert_eq!(api.bytes().unwrap().to_vec(), bench.cli_file(GX_BOOK));
    let admin = server.login(BUREAU);
    for name in [CSV, BUREAU_BOOK, ZB_BOOK] {
        let r = admin.get(&download_path(name));
        assert_eq!(r.status(), StatusCode::OK, "{name}");
        assert_eq!(r.bytes().unwrap().to_vec(), bench.cli_file(name), "{name}");
    }
    // The listing: every published file for the bureau, linked.
    let (_, page) = admin.text("/runs/1/downloads");
    for name in [CSV, BUREAU_BOOK, GX_BOOK, ZB_BOOK] {
        assert!(page.contains(name), "{name}");
    }
    assert_eq!(admin.get("/runs/1/downloads/no-such-file.xlsx").status(), StatusCode::NOT_FOUND);
    assert_eq!(admin.get("/runs/1/downloads/..%2F..%2Fmujun.db").status(), StatusCode::NOT_FOUND);
}

#[test]
fn a_firm_named_like_a_script_is_shown_as_text() {
    let bench = Bench::with_run();
    let server = bench.serve(&[]);
    let web = server.login(BUREAU);
    let search = format!("/runs/1/firms?q={}", enc("script"));
    for path in [format!("/runs/1/firms/{HOSTILE_CODE}"), search] {
        let (status, page) = web.text(&path);
        assert_eq!(status, StatusCode::OK, "{path}");
        let page = entities(&page);
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{path}");
        assert!(!page.contains(HOSTILE_NAME), "{path}: the name raw");
        assert_no_inline_code(&path, &page);
    }
    assert_eq!(web.json(&format!("/api/runs/1/firms/{HOSTILE_CODE}"))["name"], HOSTILE_NAME);
}

#[test]
fn a_run_that_does_not_exist_is_404_and_the_json_routes_answer_json() {
    let bench = Bench::with_run();
    let server = bench.serve(&[]);
    let web = server.login(BUREAU);
    for path in [
        "/runs/999",
        "/runs/abc",
        "/runs/999/firms",
        "/runs/999/downloads",
        "/api/runs/999",
        "/api/runs/999/firms",
        "/api/runs/999/firms/X",
        "/api/runs/999/downloads",
    ] {
        assert_eq!(web.get(path).status(), StatusCode::NOT_FOUND, "{path}");
    }
    let e: serde_json::Value = web.get("/api/runs/999").json().unwrap();
    assert!(e["error"].is_string());
    let card = format!("/api/runs/1/firms/{OTHER_PARK_CODE}");
    for path in ["/api/runs/1", "/api/runs/1/firms", card.as_str(), "/api/runs/1/downloads"] {
        let r = web.get(path);
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        assert_eq!(r.headers()["content-type"], "application/json", "{path}");
    }
    for path in ["/runs/1", "/runs/1/firms", "/runs/1/downloads", card.trim_start_matches("/api")] {
        let (status, page) = web.text(path);
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_no_inline_code(path, &page);
    }
}

#[test]
fn every_results_route_answers_each_role_as_the_contract_says() {
    let bench = Bench::with_run();
    let server = bench.serve(&[]);
    let g = Method::GET;
    let own = format!("/runs/1/firms/{HOSTILE_CODE}");
    let other = format!("/runs/1/firms/{OTHER_PARK_CODE}");
    //                                                   未登录 经信委 园区 自然资源 只读
    let cases = [
        case(g.clone(), "/runs/1", Body::None, [303, 200, 200, 200, 200]),
        case(g.clone(), "/api/runs/1", Body::None, [401, 200, 200, 200, 200]),
        case(g.clone(), "/runs/1/firms", Body::None, [303, 200, 200, 200, 200]),
        case(g.clone(), "/api/runs/1/firms?q=a", Body::None, [401, 200, 200, 200, 200]),
        case(g.clone(), &own, Body::None, [303, 200, 200, 200, 200]),
        case(g.clone(), &other, Body::None, [303, 200, 404, 200, 200]),
        case(g.clone(), &format!("/api{other}"), Body::None, [401, 200, 404, 200, 200]),
        case(g.clone(), "/runs/1/downloads", Body::None, [303, 200, 200, 200, 200]),
        case(g.clone(), &download_path(GX_BOOK), Body::None, [303, 200, 200, 200, 200]),
        case(g.clone(), &download_path(ZB_BOOK), Body::None, [303, 200, 404, 200, 200]),
        case(g.clone(), &download_path(CSV), Body::None, [303, 200, 404, 200, 200]),
        case(g, "/runs/2", Body::None, [303, 404, 404, 404, 404]),
    ];
    check_routes(&server, &cases);
}
