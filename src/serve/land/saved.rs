//! Land runs kept on disk beside the store, in `mujun-land/`: every uploaded file by its content
//! (`mujun-land/<sha256>`, never by its name), and each run in `mujun-land/runs/<id>/` — `输入/`
//! the data files as `<sha256>.<ext>`, `规则/` an uploaded rule file, `输出/` the set `mujun land`
//! publishes (the land workbook and its manifest), `记录.json` what was run, by whom, and the
//! page's view of it. A run's id is the hash of what it read, so the same uploads are one run.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::view::{self, LandView};
use crate::land::job::{self, Job};
use crate::rules::{shipped, Purpose, Source};

/// The folder of the land runs beside the store file.
pub const FOLDER: &str = "mujun-land";
/// The extensions a data file may have.
pub const DATA_EXTS: [&str; 4] = ["xlsx", "xls", "ods", "csv"];
const RECORD: &str = "记录.json";
const INPUTS: &str = "输入";
const RULES: &str = "规则";
const OUTPUT: &str = "输出";

/// An uploaded file: its name as the user's computer called it (shown, never a path) and its
/// bytes.
#[derive(Debug, Clone)]
pub struct Upload {
    /// The file name sent.
    pub name: String,
    /// The content.
    pub bytes: Vec<u8>,
}

/// What the land page's form asks for.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// The data files (标准地, 用地 and, for 达产复核, the year's tax and output).
    pub files: Vec<Upload>,
    /// A land rule file, instead of a shipped scheme.
    pub rule_file: Option<Upload>,
    /// The shipped land scheme (when no rule file is uploaded).
    pub scheme: String,
    /// A shipped evaluation scheme instead of the one the land rules name.
    pub evaluation_rules: Option<String>,
    /// The evaluation date instead of the rule file's.
    pub date: Option<i32>,
}

/// An input of a run as recorded.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InputFile {
    /// The name it was uploaded with.
    pub name: String,
    /// Its SHA-256.
    pub sha256: String,
    /// Its size in bytes.
    pub bytes: u64,
}

/// A land run as recorded: what it read, who ran it, what the page shows.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Record {
    /// The run's id (the first 16 hex digits of the hash of what it read).
    pub id: String,
    /// Who ran it.
    pub user: String,
    /// When (UTC, RFC 3339).
    pub at: String,
    /// The land rules: a shipped scheme's name or the uploaded file's name.
    pub rules: String,
    /// The evaluation date asked for ("" for the rule file's).
    pub date: String,
    /// The evaluation rules asked for ("" for those the land rules name).
    pub evaluation_rules: String,
    /// The data files.
    pub inputs: Vec<InputFile>,
    /// An uploaded rule file.
    pub rule_file: Option<InputFile>,
    /// The land workbook's file name in the run's `输出/`.
    pub workbook: String,
    /// The page's view of the run.
    pub view: LandView,
}

/// Why a land run could not be made or read.
#[derive(Debug)]
pub enum SavedError {
    /// The request is wrong, in words (a file of an unknown kind, no file, bad rules or data).
    Bad(String),
    /// Another run of the same files is being written.
    Busy(String),
    /// The disk or the engine failed.
    Failed(String),
}

impl From<crate::Error> for SavedError {
    fn from(e: crate::Error) -> SavedError {
        use crate::publish::PublishError;
        match e {
            crate::Error::Rules(_) | crate::Error::Ingest(_) | crate::Error::InputErrors(_) => {
                SavedError::Bad(e.to_string())
            }
            crate::Error::Land(ref l) if l.exit_code() == 4 => SavedError::Bad(e.to_string()),
            crate::Error::Publish(PublishError::Busy { .. }) => SavedError::Busy(e.to_string()),
            other => SavedError::Failed(other.to_string()),
        }
    }
}

fn io<'a>(what: &str, path: &'a Path) -> impl FnOnce(std::io::Error) -> SavedError + 'a {
    let what = what.to_string();
    move |e| SavedError::Failed(format!("{what}「{}」失败：{e}", path.display()))
}

/// The land folder beside the store file `store`.
pub fn folder(store: &Path) -> PathBuf {
    store.parent().unwrap_or(Path::new(".")).join(FOLDER)
}

/// Hex SHA-256 of `bytes`.
pub fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// The lower-case extension of an uploaded name, when it is a data file's.
pub fn data_ext(name: &str) -> Option<String> {
    let ext = Path::new(name).extension()?.to_str()?.to_ascii_lowercase();
    DATA_EXTS.contains(&ext.as_str()).then_some(ext)
}

/// Whether `id` is a run id (16 lower-case hex digits): nothing else is ever joined to a path.
pub fn is_id(id: &str) -> bool {
    id.len() == 16 && id.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Keep `bytes` under `land/<sha256>` (once: the same content is the same file).
fn keep(land: &Path, bytes: &[u8]) -> Result<String, SavedError> {
    let hash = sha256(bytes);
    let path = land.join(&hash);
    if !path.is_file() {
        let tmp = land.join(format!(".{hash}.part"));
        std::fs::write(&tmp, bytes).map_err(io("保存上传文件", &tmp))?;
        std::fs::rename(&tmp, &path).map_err(io("保存上传文件", &path))?;
    }
    Ok(hash)
}

/// Put the kept file `hash` at `to` (a hard link, or a copy where links are not possible).
fn place(land: &Path, hash: &str, to: &Path) -> Result<(), SavedError> {
    let from = land.join(hash);
    if std::fs::hard_link(&from, to).is_err() {
        std::fs::copy(&from, to).map_err(io("复制上传文件", to))?;
    }
    Ok(())
}

/// The run's id: the hash of the rules, options and inputs it reads.
fn run_id(req: &Request, inputs: &[InputFile], rule: &Option<InputFile>) -> String {
    let mut key = format!(
        "rules={}\nrule_file={}\nevaluation_rules={}\ndate={:?}\n",
        req.scheme,
        rule.as_ref().map_or("", |r| r.sha256.as_str()),
        req.evaluation_rules.as_deref().unwrap_or(""),
        req.date
    );
    let mut hashes: Vec<&str> = inputs.iter().map(|i| i.sha256.as_str()).collect();
    hashes.sort();
    hashes.dedup();
    key += &hashes.join("\n");
    sha256(key.as_bytes())[..16].to_string()
}

/// Run the land checks on `req` for `user` (or find the run of the same inputs): its record.
pub fn run(store: &Path, user: &str, req: Request) -> Result<Record, SavedError> {
    // One land run at a time: two uploads of the same files would otherwise share a folder.
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let land = folder(store);
    std::fs::create_dir_all(land.join("runs")).map_err(io("创建文件夹", &land))?;
    let mut inputs = Vec::new();
    for f in &req.files {
        let sha256 = keep(&land, &f.bytes)?;
        inputs.push(InputFile { name: f.name.clone(), sha256, bytes: f.bytes.len() as u64 });
    }
    let rule = match &req.rule_file {
        Some(f) => Some(InputFile {
            name: f.name.clone(),
            sha256: keep(&land, &f.bytes)?,
            bytes: f.bytes.len() as u64,
        }),
        None => None,
    };
    let id = run_id(&req, &inputs, &rule);
    if let Ok(r) = record(store, &id) {
        return Ok(r);
    }
    let dir = land.join("runs").join(&id);
    let made = make_run(&land, &dir, &req, &inputs, &rule).and_then(|(job, rules)| {
        let (run, path) = job::execute(&job)?;
        let workbook = path.file_name().map(|n| n.to_string_lossy().into_owned());
        let mut view = view::view(&run);
        // Problems name the files as the run read them; the page names them as uploaded.
        rename_inputs(&mut view, &dir, &inputs, &rule);
        Ok(Record {
            id: id.clone(),
            user: user.to_string(),
            at: crate::store::now(),
            rules,
            date: req.date.map(crate::land::date_text).unwrap_or_default(),
            evaluation_rules: req.evaluation_rules.clone().unwrap_or_default(),
            inputs: inputs.clone(),
            rule_file: rule.clone(),
            workbook: workbook.unwrap_or_default(),
            view,
        })
    });
    let rec = match made {
        Ok(r) => r,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&dir);
            return Err(e);
        }
    };
    let text = serde_json::to_vec_pretty(&rec).map_err(|e| SavedError::Failed(e.to_string()))?;
    let tmp = dir.join(".记录.part");
    std::fs::write(&tmp, text).map_err(io("保存土地核查记录", &tmp))?;
    std::fs::rename(&tmp, dir.join(RECORD)).map_err(io("保存土地核查记录", &dir))?;
    Ok(rec)
}

/// The run's folder with its inputs in place, and the job that reads them.
fn make_run(
    land: &Path,
    dir: &Path,
    req: &Request,
    inputs: &[InputFile],
    rule: &Option<InputFile>,
) -> Result<(Job, String), SavedError> {
    let _ = std::fs::remove_dir_all(dir);
    let data = dir.join(INPUTS);
    std::fs::create_dir_all(&data).map_err(io("创建文件夹", &data))?;
    for (f, i) in req.files.iter().zip(inputs) {
        let ext = data_ext(&f.name).unwrap_or_else(|| "csv".into());
        let to = data.join(format!("{}.{ext}", i.sha256));
        if !to.exists() {
            place(land, &i.sha256, &to)?;
        }
    }
    let (source, shown) = match rule {
        Some(r) => {
            let rules = dir.join(RULES);
            std::fs::create_dir_all(&rules).map_err(io("创建文件夹", &rules))?;
            let to = rules.join(format!("{}.toml", r.sha256));
            place(land, &r.sha256, &to)?;
            (Source::File(to), r.name.clone())
        }
        None => (shipped_scheme(&req.scheme, Purpose::Land)?, req.scheme.clone()),
    };
    let evaluation_rules = match &req.evaluation_rules {
        Some(e) => Some(shipped_scheme(e, Purpose::Evaluation)?),
        None => None,
    };
    let job = Job {
        rules: source,
        date: req.date,
        evaluation_rules,
        data: vec![data],
        exclude: Vec::new(),
        out: dir.join(OUTPUT),
    };
    Ok((job, shown))
}

/// A shipped scheme for `purpose` by name: a form names no file on the server.
fn shipped_scheme(name: &str, purpose: Purpose) -> Result<Source, SavedError> {
    match shipped::scheme(name) {
        Ok(s) if s.purpose == purpose => Ok(Source::Shipped(s.file_name())),
        _ => Err(SavedError::Bad(format!(
            "没有名为「{name}」的内置{}规则方案",
            purpose_name(purpose)
        ))),
    }
}

fn purpose_name(purpose: Purpose) -> &'static str {
    match purpose {
        Purpose::Land => "土地核查",
        Purpose::Evaluation => "评价",
    }
}

/// The view's problems with the run's own file paths replaced by the uploaded names.
fn rename_inputs(view: &mut LandView, dir: &Path, inputs: &[InputFile], rule: &Option<InputFile>) {
    let data = dir.join(INPUTS);
    let mut names: Vec<(String, String)> = Vec::new();
    for i in inputs {
        let ext = data_ext(&i.name).unwrap_or_else(|| "csv".into());
        let path = data.join(format!("{}.{ext}", i.sha256)).display().to_string();
        names.push((path, i.name.clone()));
    }
    if let Some(r) = rule {
        let path = dir.join(RULES).join(format!("{}.toml", r.sha256)).display().to_string();
        names.push((path, r.name.clone()));
    }
    for p in view.problems.iter_mut().chain(view.summary.iter_mut()) {
        for (path, name) in &names {
            if p.contains(path.as_str()) {
                *p = p.replace(path.as_str(), name);
            }
        }
    }
}

/// The record of run `id`.
pub fn record(store: &Path, id: &str) -> Result<Record, SavedError> {
    if !is_id(id) {
        return Err(SavedError::Bad("没有这次土地核查".into()));
    }
    let path = folder(store).join("runs").join(id).join(RECORD);
    let text = std::fs::read(&path).map_err(|_| SavedError::Bad("没有这次土地核查".into()))?;
    serde_json::from_slice(&text).map_err(|e| SavedError::Failed(format!("土地核查记录损坏：{e}")))
}

/// Every recorded run, newest first.
pub fn records(store: &Path) -> Result<Vec<Record>, SavedError> {
    let runs = folder(store).join("runs");
    let Ok(entries) = std::fs::read_dir(&runs) else { return Ok(Vec::new()) };
    let mut out = Vec::new();
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if is_id(&name) {
            if let Ok(r) = record(store, &name) {
                out.push(r);
            }
        }
    }
    out.sort_by(|a, b| b.at.cmp(&a.at).then(a.id.cmp(&b.id)));
    Ok(out)
}

/// The land workbook of run `rec`: (file name, bytes) as `mujun land` wrote it.
pub fn workbook(store: &Path, rec: &Record) -> Result<(String, Vec<u8>), SavedError> {
    let name = &rec.workbook;
    if name.is_empty() || name.contains(['/', '\\']) || name.starts_with('.') {
        return Err(SavedError::Failed("土地核查记录中的工作簿名无效".into()));
    }
    let path = folder(store).join("runs").join(&rec.id).join(OUTPUT).join(name);
    let bytes = std::fs::read(&path).map_err(io("读取土地核查工作簿", &path))?;
    Ok((name.clone(), bytes))
}
