//! `mujun export --run ID --out DIR`: a stored run's published files written again, byte for
//! byte as `evaluate` published them (results workbook, park workbooks, CSV, JSON and the output
//! manifest). The folder appears whole or not at all: the files are written and flushed into a
//! hidden folder beside it, which is then renamed to `DIR`.

use std::fs;
use std::path::{Component, Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::store::{Store, StoreError, StoredOutput};
use crate::zh::io_error;

/// `mujun export`'s options.
#[derive(clap::Args, Debug)]
#[command(help_template = super::HELP_TEMPLATE, next_help_heading = "选项")]
pub struct Args {
    /// 评价记录编号（见 mujun runs）
    #[arg(long, value_name = "编号")]
    pub run: i64,
    /// 导出到的目录（须不存在或为空）
    #[arg(long, value_name = "目录")]
    pub out: PathBuf,
}

/// Run `mujun export`.
pub fn run(a: &Args, opt: &super::store::StoreOption) -> Result<(), crate::Error> {
    let mut store = Store::open_existing(&opt.require()?)?;
    let run = store.run(a.run)?;
    let outputs = store.outputs(a.run)?;
    if outputs.is_empty() {
        return Err(refused(format!(
            "第 {} 号评价没有保存输出文件（导入的历年结果，或由不保存输出文件的旧版 mujun 记录），\
             无法导出",
            a.run
        )));
    }
    refuse_non_empty(&a.out)?;
    let files = outputs.iter().map(|o| checked(a.run, o)).collect::<Result<Vec<_>, _>>()?;
    write_whole(&a.out, &files)?;
    let detail = format!(
        "{}年度「{}」的 {} 个输出文件导出到 {}",
        run.year,
        run.scheme,
        files.len(),
        a.out.display()
    );
    store.log(&crate::store::current_user(), "导出", Some(a.run), &detail)?;
    crate::outln!(
        "第 {} 号评价（{}年度「{}」）的 {} 个输出文件已导出到：{}",
        a.run,
        run.year,
        crate::console::escape(&run.scheme),
        files.len(),
        a.out.display()
    );
    Ok(())
}

fn refused(message: String) -> crate::Error {
    StoreError::Refused(message).into()
}

/// The output's name as a path inside the folder and its bytes, which must still have their
/// digest.
fn checked(id: i64, o: &StoredOutput) -> Result<(PathBuf, &[u8]), crate::Error> {
    let inside = !o.name.is_empty()
        && Path::new(&o.name).components().all(|c| matches!(c, Component::Normal(_)));
    if !inside {
        return Err(refused(format!(
            "第 {id} 号评价的输出文件名「{}」不在输出目录内，未导出",
            o.name
        )));
    }
    let Some(bytes) = o.content.as_deref() else {
        return Err(refused(format!(
            "第 {id} 号评价的输出文件 {} 在记录前已被改动，数据库中没有它的内容，无法导出",
            o.name
        )));
    };
    let sha: String = Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect();
    if sha != o.sha256 {
        return Err(refused(format!(
            "第 {id} 号评价的输出文件 {} 在数据库中的内容与记录的校验值不符，未导出",
            o.name
        )));
    }
    Ok((PathBuf::from(&o.name), bytes))
}

/// An existing `dir` that holds anything is refused: nothing is overwritten.
fn refuse_non_empty(dir: &Path) -> Result<(), crate::Error> {
    if dir.exists() && !dir.is_dir() {
        return Err(refused(format!("{} 已存在且不是目录，未导出", dir.display())));
    }
    let Ok(rd) = fs::read_dir(dir) else { return Ok(()) };
    let mut names: Vec<String> =
        rd.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    match names.first() {
        None => Ok(()),
        Some(first) => Err(refused(format!(
            "导出目录 {} 中已有文件（{first} 等 {} 项）；为免覆盖，未写入任何文件，请换一个空目录或新目录",
            dir.display(),
            names.len()
        ))),
    }
}

/// Write `files` into a hidden folder beside `out`, flush them, then rename it to `out` (an
/// empty `out` is replaced). On failure the hidden folder is removed and `out` is untouched.
fn write_whole(out: &Path, files: &[(PathBuf, &[u8])]) -> Result<(), crate::Error> {
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let io = |what: &str, p: &Path, e: std::io::Error| {
        refused(format!("导出时{what} {} 失败：{}；未导出", p.display(), io_error(&e)))
    };
    fs::create_dir_all(&parent).map_err(|e| io("创建目录", &parent, e))?;
    let base = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let temp = parent.join(format!(".{base}.mujun-export-{}", std::process::id()));
    let result = (|| {
        if temp.exists() {
            fs::remove_dir_all(&temp).map_err(|e| io("清理临时目录", &temp, e))?;
        }
        fs::create_dir(&temp).map_err(|e| io("创建临时目录", &temp, e))?;
        let mut dirs = vec![temp.clone()];
        for (name, bytes) in files {
            let path = temp.join(name);
            if let Some(d) = path.parent() {
                fs::create_dir_all(d).map_err(|e| io("创建目录", d, e))?;
                dirs.push(d.to_path_buf());
            }
            let write = || -> std::io::Result<()> {
                fs::write(&path, bytes)?;
                fs::File::open(&path)?.sync_all()
            };
            write().map_err(|e| io("写入", &path, e))?;
        }
        dirs.sort();
        dirs.dedup();
        #[cfg(unix)]
        for d in &dirs {
            fs::File::open(d).and_then(|f| f.sync_all()).map_err(|e| io("写入磁盘", d, e))?;
        }
        if out.is_dir() {
            fs::remove_dir(out).map_err(|e| io("替换空目录", out, e))?;
        }
        fs::rename(&temp, out).map_err(|e| io("移动到导出目录", out, e))?;
        #[cfg(unix)]
        fs::File::open(&parent)
            .and_then(|f| f.sync_all())
            .map_err(|e| io("写入磁盘", &parent, e))?;
        Ok(())
    })();
    if result.is_err() && temp.exists() {
        let _ = fs::remove_dir_all(&temp);
    }
    result
}
