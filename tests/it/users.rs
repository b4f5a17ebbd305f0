//! `mujun user`: the workbench's users managed from the shell — roles, a park for park users,
//! passwords read from stdin for scripts (never echoed, never stored in clear), disabling.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use mujun::store::Store;

/// Run mujun in `dir` with `input` on stdin (None: stdin is not a terminal and empty); (exit
/// code, stdout + stderr).
fn mujun_with(dir: &Path, args: &[&str], input: Option<&str>) -> (i32, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mujun"))
        .current_dir(dir)
        .env_remove("MUJUN_STORE")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run mujun");
    let mut stdin = child.stdin.take().unwrap();
    if let Some(text) = input {
        stdin.write_all(text.as_bytes()).unwrap();
    }
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn users_are_added_with_a_role_listed_given_a_new_password_and_disabled() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let add = |args: &[&str], pw: &str| mujun_with(dir, args, Some(pw));
    let (code, text) =
        add(&["user", "add", "张三", "--role", "经信委", "--password-stdin"], "经信委密码2026\n");
    assert_eq!((code, text.trim()), (0, "已添加用户「张三」：经信委"));
    let park =
        ["user", "add", "高新区", "--role", "园区", "--park", "涪陵高新区", "--password-stdin"];
    let (code, text) = add(&park, "园区的密码2026\n");
    assert_eq!((code, text.trim()), (0, "已添加用户「高新区」：园区（涪陵高新区）"));

    // Refused, and nothing added: an unknown role, a park user without a park, a short password.
    let (code, text) =
        add(&["user", "add", "李四", "--role", "管理员", "--password-stdin"], "12345678\n");
    assert_eq!(code, 8);
    assert!(text.contains("没有角色「管理员」：可选 经信委、园区、自然资源、只读"), "{text}");
    let (code, text) =
        add(&["user", "add", "白涛", "--role", "园区", "--password-stdin"], "12345678\n");
    assert_eq!(code, 8);
    assert!(text.contains("园区用户须用 --park 写明所属园区"), "{text}");
    let (code, text) =
        add(&["user", "add", "王五", "--role", "只读", "--password-stdin"], "1234567\n");
    assert_eq!(code, 8);
    assert!(text.contains("密码至少 8 个字符（现在 7 个），未作改动"), "{text}");
    let (code, text) = mujun_with(dir, &["user", "add", "赵六", "--role", "只读"], None);
    assert_eq!(code, 8);
    assert!(text.contains("脚本中请用 --password-stdin"), "{text}");

    let (code, list) = mujun_with(dir, &["user", "list"], None);
    assert_eq!(code, 0, "{list}");
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(lines.len(), 2, "{list}");
    assert!(lines[0].starts_with("张三  经信委  启用  添加于 "), "{list}");
    assert!(lines[1].starts_with("高新区  园区（涪陵高新区）  启用"), "{list}");

    let (code, text) = add(&["user", "passwd", "张三", "--password-stdin"], "新的经信委密码2027\n");
    assert_eq!((code, text.trim()), (0, "已修改用户「张三」的密码"));
    let (code, text) = mujun_with(dir, &["user", "disable", "高新区"], None);
    assert_eq!((code, text.trim()), (0, "已停用用户「高新区」"));
    let (code, text) = mujun_with(dir, &["user", "disable", "没有这个人"], None);
    assert_eq!(code, 8);
    assert!(text.contains("没有用户「没有这个人」"), "{text}");

    let store = Store::open_existing(&dir.join("mujun.db")).unwrap();
    let hash = store.password_hash("张三").unwrap().expect("enabled");
    assert!(mujun::password::verify("新的经信委密码2027", &hash));
    assert!(!mujun::password::verify("经信委密码2026", &hash), "the old password is gone");
    assert_eq!(store.password_hash("高新区").unwrap(), None, "disabled");
    assert!(store.users().unwrap().iter().any(|u| u.name == "高新区" && u.disabled));
    drop(store);
    // No password in clear anywhere in the store file (or its log).
    for f in std::fs::read_dir(dir).unwrap() {
        let bytes = std::fs::read(f.unwrap().path()).unwrap();
        for pw in ["经信委密码2026", "园区的密码2026", "新的经信委密码2027"] {
            let pw = pw.as_bytes();
            assert!(!bytes.windows(pw.len()).any(|w| w == pw), "a password in clear");
        }
    }
}
