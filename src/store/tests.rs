//! The store against real SQLite files: opening what is not ours, migrations, a run recorded
//! whole, 定稿 rules, the audit log, history across a rename and a park move.

use super::*;

fn run(year: i32, codes: &[(&str, &str, &str, &str)]) -> NewRun {
    // (code, name, park, tier) per firm; the CSV line is made of them.
    let results = codes
        .iter()
        .enumerate()
        .map(|(i, (code, name, park, tier))| ResultLine {
            code: code.to_string(),
            evaluated: true,
            name: Some(name.to_string()),
            park: Some(park.to_string()),
            group: Some("g".into()),
            tier: Some(tier.to_string()),
            total: Some(90.0 - i as f64),
            rank: Some(i as i64 + 1),
            cluster: None,
            year: Some(year.to_string()),
            csv_line: format!("{year},evaluated,{code},{name},{park},{tier}").into_bytes(),
        })
        .collect();
    let register = codes
        .iter()
        .map(|(code, name, park, _)| RegisterRow {
            code: code.to_string(),
            name: Some(name.to_string()),
            park: Some(park.to_string()),
            ..RegisterRow::default()
        })
        .collect();
    NewRun {
        year,
        scheme: "测试方案".into(),
        rules_text: "[meta]".into(),
        user: "测试员".into(),
        evaluated: codes.len(),
        register,
        parcels: vec![ParcelRow {
            certificate: Some("证001".into()),
            holder: codes[0].0.to_string(),
            mode: Some("自有".into()),
            area_mu: Some(10.0 + f64::from(year - 2024)),
            ..ParcelRow::default()
        }],
        csv_head: b"\xef\xbb\xbfyear,status,code,name,park,tier\r\n".to_vec(),
        results,
        ..NewRun::default()
    }
}

fn temp() -> (tempfile::TempDir, std::path::PathBuf) {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("mujun.db");
    (d, p)
}

#[test]
fn a_recorded_run_gives_back_its_csv_byte_for_byte_and_is_numbered_from_one() {
    let (_d, p) = temp();
    let mut s = Store::open(&p).unwrap();
    let r =
        run(2024, &[("A1", "甲公司", "涪陵高新区", "B"), ("A2", "乙公司", "白涛工业园区", "D")]);
    assert_eq!(s.record_run(&r).unwrap(), 1);
    assert_eq!(s.record_run(&r).unwrap(), 2);
    let mut csv = r.csv_head.clone();
    for l in &r.results {
        csv.extend_from_slice(&l.csv_line);
        csv.extend_from_slice(b"\r\n");
    }
    assert_eq!(s.results_csv(1).unwrap(), csv);
    let runs = s.runs().unwrap();
    assert_eq!(
        runs.iter().map(|r| (r.id, r.status.as_str())).collect::<Vec<_>>(),
        [(1, "草稿"), (2, "草稿")]
    );
    assert_eq!(s.check().unwrap().runs, [(1, 2, 2), (2, 2, 2)]);
    assert!(matches!(s.results_csv(9), Err(StoreError::NoRun { id: 9, .. })));
}

#[test]
fn one_final_run_per_year_and_scheme_and_a_final_run_is_not_finalized_again() {
    let (_d, p) = temp();
    let mut s = Store::open(&p).unwrap();
    let r = run(2024, &[("A1", "甲公司", "涪陵高新区", "B")]);
    let (a, b) = (s.record_run(&r).unwrap(), s.record_run(&r).unwrap());
    s.finalize(a, "测试员").unwrap();
    let e = s.finalize(a, "测试员").unwrap_err().to_string();
    assert!(e.contains("第 1 号评价记录已经定稿"), "{e}");
    let e = s.finalize(b, "测试员").unwrap_err().to_string();
    assert!(e.contains("已有定稿的第 1 号记录"), "{e}");
    assert_eq!(s.final_run(2024, "测试方案").unwrap(), Some(a));
    // Another year of the scheme may be finalized.
    let c = s.record_run(&run(2025, &[("A1", "甲公司", "涪陵高新区", "C")])).unwrap();
    s.finalize(c, "测试员").unwrap();
    let actions: Vec<String> = s.audit_log().unwrap().into_iter().map(|a| a.2).collect();
    assert_eq!(actions, ["记录评价", "记录评价", "定稿", "记录评价", "定稿"]);
}

#[test]
fn the_audit_log_cannot_be_edited_or_shortened() {
    let (_d, p) = temp();
    let mut s = Store::open(&p).unwrap();
    s.record_run(&run(2024, &[("A1", "甲公司", "涪陵高新区", "B")])).unwrap();
    assert!(s.conn.execute("UPDATE audit SET user_name = 'x'", []).is_err());
    assert!(s.conn.execute("DELETE FROM audit", []).is_err());
    assert_eq!(s.audit_log().unwrap().len(), 1);
}

#[test]
fn history_follows_a_firm_across_a_rename_and_a_park_move() {
    let (_d, p) = temp();
    let mut s = Store::open(&p).unwrap();
    let y1 = s.record_run(&run(2024, &[("A1", "甲公司", "涪陵高新区", "D")])).unwrap();
    s.finalize(y1, "测试员").unwrap();
    // Two drafts of 2025: the later one is the year's until one is final.
    s.record_run(&run(2025, &[("A1", "甲新材料公司", "白涛工业园区", "C")])).unwrap();
    let y2 = s.record_run(&run(2025, &[("A1", "甲新材料公司", "白涛工业园区", "D")])).unwrap();
    assert_eq!(s.find_enterprise("甲新材料").unwrap(), "A1");
    assert_eq!(s.find_enterprise("甲公司").unwrap(), "A1");
    let h = s.history("A1", None).unwrap();
    let seen: Vec<_> =
        h.iter().map(|y| (y.year, y.run, y.tier.as_deref(), y.park.as_deref())).collect();
    assert_eq!(
        seen,
        [(2024, y1, Some("D"), Some("涪陵高新区")), (2025, y2, Some("D"), Some("白涛工业园区"))]
    );
    // The parcel's area per year: 10 亩 in 2024, 11 in 2025.
    assert_eq!(h[0].parcels, [(Some("证001".to_string()), Some("自有".to_string()), Some(10.0))]);
    assert_eq!(h[1].parcels[0].2, Some(11.0));
    assert!(s.find_enterprise("丙").is_err());
}

#[test]
fn a_file_that_is_not_a_mujun_store_is_refused_and_left_as_it_was() {
    let (d, p) = temp();
    // Another program's SQLite database.
    let other = rusqlite::Connection::open(&p).unwrap();
    other.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);").unwrap();
    drop(other);
    let before = std::fs::read(&p).unwrap();
    assert!(matches!(Store::open(&p), Err(StoreError::NotOurs { .. })));
    assert_eq!(std::fs::read(&p).unwrap(), before);
    // Not a database at all.
    let junk = d.path().join("junk.db");
    std::fs::write(&junk, vec![7u8; 4096]).unwrap();
    let e = Store::open(&junk).err().unwrap();
    assert!(matches!(e, StoreError::Corrupt { .. }), "{e}");
    assert_eq!(std::fs::read(&junk).unwrap(), vec![7u8; 4096]);
    // Absent, for a command that only reads.
    assert!(matches!(
        Store::open_existing(&d.path().join("无.db")),
        Err(StoreError::Missing { .. })
    ));
}

#[test]
fn a_store_from_a_newer_program_is_refused() {
    let (_d, p) = temp();
    drop(Store::open(&p).unwrap());
    let c = rusqlite::Connection::open(&p).unwrap();
    c.pragma_update(None, "user_version", schema::latest() + 1).unwrap();
    drop(c);
    let e = Store::open(&p).err().unwrap().to_string();
    assert!(
        e.contains(&format!("结构版本 {}", schema::latest() + 1)) && e.contains("请升级"),
        "{e}"
    );
}

#[test]
fn every_earlier_schema_version_migrates_to_the_current_one_keeping_its_runs() {
    for from in 0..schema::latest() {
        let (_d, p) = temp();
        let c = rusqlite::Connection::open(&p).unwrap();
        for (i, step) in schema::MIGRATIONS.iter().take(from as usize).enumerate() {
            c.execute_batch(step).unwrap();
            c.pragma_update(None, "application_id", schema::APPLICATION_ID).unwrap();
            c.pragma_update(None, "user_version", i as i64 + 1).unwrap();
        }
        drop(c);
        let mut s = Store::open(&p).unwrap();
        assert_eq!(s.version().unwrap(), schema::latest(), "from version {from}");
        s.record_run(&run(2024, &[("A1", "甲公司", "涪陵高新区", "B")])).unwrap();
        drop(s);
        assert_eq!(Store::open(&p).unwrap().runs().unwrap().len(), 1);
    }
}

#[test]
fn a_store_held_by_another_writer_is_reported_as_busy() {
    let (_d, p) = temp();
    drop(Store::open(&p).unwrap());
    let holder = rusqlite::Connection::open(&p).unwrap();
    holder.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let mut s = Store::open_waiting(&p, std::time::Duration::from_millis(50)).unwrap();
    let e = s.record_run(&run(2024, &[("A1", "甲公司", "涪陵高新区", "B")])).unwrap_err();
    assert!(matches!(e, StoreError::Locked { .. }), "{e}");
    holder.execute_batch("ROLLBACK").unwrap();
    assert_eq!(s.record_run(&run(2024, &[("A1", "甲公司", "涪陵高新区", "B")])).unwrap(), 1);
}

#[test]
fn processes_opening_one_new_store_at_once_all_open_it() {
    // SQLite refuses at once, without waiting, a switch to WAL while another connection is
    // switching the same new file; before the store waited for it, half of such pairs failed.
    // And a store read as "empty" must not turn "not ours" while another process creates it.
    for round in 0..40 {
        let (_d, p) = temp();
        let start = std::sync::Barrier::new(3);
        std::thread::scope(|s| {
            for _ in 0..3 {
                s.spawn(|| {
                    start.wait();
                    let store = Store::open(&p).unwrap_or_else(|e| panic!("round {round}: {e}"));
                    assert_eq!(store.version().unwrap(), schema::latest());
                });
            }
        });
    }
}

#[test]
fn a_backup_opens_as_the_same_store() {
    let (d, p) = temp();
    let mut s = Store::open(&p).unwrap();
    s.record_run(&run(2024, &[("A1", "甲公司", "涪陵高新区", "B")])).unwrap();
    let copy = d.path().join("备份.db");
    s.backup(&copy).unwrap();
    let b = Store::open_existing(&copy).unwrap();
    assert_eq!(b.runs().unwrap(), s.runs().unwrap());
    assert_eq!(b.results_csv(1).unwrap(), s.results_csv(1).unwrap());
}

fn output(name: &str, text: &str) -> OutputFile {
    use sha2::Digest;
    let sha = capture::hex(&sha2::Sha256::digest(text.as_bytes()));
    OutputFile {
        name: name.into(),
        bytes: text.len() as u64,
        sha256: sha,
        content: Some(text.into()),
    }
}

#[test]
fn published_files_are_kept_once_by_content_and_given_back_in_order() {
    let (_d, p) = temp();
    let mut s = Store::open(&p).unwrap();
    let mut r = run(2024, &[("A1", "甲公司", "涪陵高新区", "B")]);
    r.outputs = vec![output("园区/甲.xlsx", "工作簿"), output("评价输出清单.json", "{}")];
    s.record_run(&r).unwrap();
    r.outputs[1] = output("评价输出清单.json", "{\"x\":1}");
    s.record_run(&r).unwrap();
    let kept: i64 = s.conn.query_row("SELECT count(*) FROM files", [], |r| r.get(0)).unwrap();
    assert_eq!(kept, 3, "the workbook once, two manifests");
    let back: Vec<(String, Option<Vec<u8>>)> =
        s.outputs(2).unwrap().into_iter().map(|o| (o.name, o.content)).collect();
    assert_eq!(
        back,
        [
            ("园区/甲.xlsx".to_string(), Some("工作簿".as_bytes().to_vec())),
            ("评价输出清单.json".to_string(), Some(b"{\"x\":1}".to_vec()))
        ]
    );
    assert!(matches!(s.outputs(3), Err(StoreError::NoRun { id: 3, .. })));
}

#[test]
fn an_import_is_all_its_files_or_none_and_one_final_run_per_year_and_scheme() {
    let (_d, p) = temp();
    let mut s = Store::open(&p).unwrap();
    let (y2023, y2024) = (
        run(2023, &[("A1", "甲公司", "涪陵高新区", "B")]),
        run(2024, &[("A1", "甲公司", "涪陵高新区", "C")]),
    );
    assert_eq!(s.import_runs(&[(y2023.clone(), "2023.csv".into())]).unwrap(), [1]);
    // 2024 is new but 2023 has its 定稿: neither is recorded.
    let e = s
        .import_runs(&[(y2024.clone(), "2024.csv".into()), (y2023, "又一个2023.csv".into())])
        .unwrap_err()
        .to_string();
    assert!(e.contains("又一个2023.csv：2023年度「测试方案」已有定稿的第 1 号评价"), "{e}");
    assert_eq!(s.runs().unwrap().len(), 1);
    assert_eq!(s.import_runs(&[(y2024, "2024.csv".into())]).unwrap(), [2]);
    assert_eq!(s.final_run(2024, "测试方案").unwrap(), Some(2));
    let log: Vec<(String, String)> =
        s.audit_log().unwrap().into_iter().map(|a| (a.2, a.4)).collect();
    assert_eq!(
        log[1],
        ("导入".into(), "从 2024.csv 导入 2024年度「测试方案」定稿：参评 1 家，未参评 0 家".into())
    );
}

#[test]
fn text_is_kept_compressed_a_workbook_as_it_is_and_both_come_back_whole() {
    let json = "{\"code\": \"91500102MA5U7LXX11\", \"tier\": \"B\"}\n".repeat(1000);
    let (packed, codec) = record::pack(json.as_bytes());
    assert_eq!(codec, Some("zstd"));
    assert!(packed.len() * 10 < json.len(), "{} of {}", packed.len(), json.len());
    assert_eq!(record::unpack(packed.into_owned(), codec).unwrap(), json.as_bytes());
    let zip = [b"PK\x03\x04".as_slice(), json.as_bytes()].concat();
    let (kept, codec) = record::pack(&zip);
    assert_eq!((kept.as_ref(), codec), (zip.as_slice(), None));
}

#[test]
fn an_import_whose_year_column_is_missing_mixed_or_not_a_year_is_refused_naming_the_line() {
    let d = tempfile::tempdir().unwrap();
    let refuse = |text: &str| {
        let f = d.path().join("2024年度亩均效益评价结果.csv");
        std::fs::write(&f, text).unwrap();
        import::imported_run(&f, Some("测试方案"), None).unwrap_err().to_string()
    };
    let e = refuse("year,status,code\r\n2024,evaluated,A1\r\n2025,evaluated,A2\r\n");
    assert!(e.contains("第3行的年度 2025 与第2行的 2024 不同"), "{e}");
    let e = refuse("year,status,code\r\n20x4,evaluated,A1\r\n");
    assert!(e.contains("第2行 year 列「20x4」不是年度"), "{e}");
    let e = refuse("status,code\r\nevaluated,A1\r\n");
    assert!(e.contains("没有 year 列"), "{e}");
    let f = d.path().join("ok.csv");
    std::fs::write(&f, "year,status,code\r\n2024,evaluated,A1\r\n").unwrap();
    assert_eq!(import::imported_run(&f, Some("测试方案"), None).unwrap().year, 2024);
}

fn user(name: &str, role: Role, park: Option<&str>) -> User {
    User {
        name: name.into(),
        role,
        park: park.map(str::to_string),
        disabled: false,
        created_at: String::new(),
        changed_at: String::new(),
    }
}

#[test]
fn users_have_one_name_each_a_park_only_as_park_users_and_every_change_is_audited() {
    let (_d, p) = temp();
    let mut s = Store::open(&p).unwrap();
    s.add_user(&user("张三", Role::Bureau, None), "$argon2id$甲", "admin").unwrap();
    s.add_user(&user("高新区", Role::Park, Some("涪陵高新区")), "$argon2id$乙", "admin").unwrap();
    let e = s.add_user(&user("张三", Role::ReadOnly, None), "h", "admin").unwrap_err();
    assert_eq!(e.to_string(), "用户「张三」已存在");
    let e = s.add_user(&user("白涛", Role::Park, None), "h", "admin").unwrap_err();
    assert_eq!(e.to_string(), "园区用户须用 --park 写明所属园区");
    let e = s.add_user(&user("李四", Role::Land, Some("白涛工业园区")), "h", "admin").unwrap_err();
    assert!(e.to_string().starts_with("只有园区用户有所属园区"), "{e}");
    let names: Vec<(String, Role, Option<String>)> =
        s.users().unwrap().into_iter().map(|u| (u.name, u.role, u.park)).collect();
    assert_eq!(
        names,
        [
            ("张三".to_string(), Role::Bureau, None),
            ("高新区".to_string(), Role::Park, Some("涪陵高新区".to_string()))
        ]
    );
    s.set_password("张三", "$argon2id$丙", "张三").unwrap();
    assert_eq!(s.password_hash("张三").unwrap().as_deref(), Some("$argon2id$丙"));
    s.disable_user("高新区", "admin").unwrap();
    assert_eq!(s.password_hash("高新区").unwrap(), None, "a disabled user cannot log in");
    assert!(s.users().unwrap().iter().any(|u| u.name == "高新区" && u.disabled));
    assert!(s
        .disable_user("王五", "admin")
        .unwrap_err()
        .to_string()
        .starts_with("没有用户「王五」"));
    let log: Vec<String> = s.audit_log().unwrap().into_iter().map(|a| a.2).collect();
    assert_eq!(log, ["添加用户", "添加用户", "修改密码", "停用用户"]);
}
