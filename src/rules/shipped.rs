//! The rule files shipped inside the binary: every file of the repository's `rules/` folder, so
//! that `mujun` runs from any folder. A scheme is a shipped `.toml` file chosen by name
//! (`--rules fuling`); the files it names (a benchmark CSV, the evaluation rules of a land
//! scheme) are looked up among the shipped files too.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::RuleError;

/// One shipped file: its name in `rules/` and its text.
#[derive(Debug)]
pub struct File {
    /// File name, e.g. `fuling.toml`.
    pub name: &'static str,
    /// The file's text as it was when the binary was built.
    pub text: &'static str,
}

macro_rules! shipped {
    ($($name:literal),* $(,)?) => {
        &[$(File { name: $name, text: include_str!(concat!("../../rules/", $name)) }),*]
    };
}

/// Every file of `rules/` (a test checks that none is missing).
pub static FILES: &[File] = shipped![
    "fuling.toml",
    "hefei_gxq_2023.toml",
    "huaian_2023_averages.csv",
    "huaian_2024.toml",
    "huangyan_2022.toml",
    "jingde_2022.toml",
    "land_fuling.toml",
    "land_national.toml",
];

/// What a scheme is read by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// 亩均效益评价 (`evaluate`, `check`, `explain`, `template`).
    Evaluation,
    /// 土地（标准地）核查 (`land`).
    Land,
}

impl Purpose {
    /// "评价" / "土地核查", as `mujun rules` lists it.
    pub fn label(self) -> &'static str {
        match self {
            Purpose::Evaluation => "评价",
            Purpose::Land => "土地核查",
        }
    }

    /// The scheme used when `--rules` is not given.
    pub fn default_scheme(self) -> &'static str {
        match self {
            Purpose::Evaluation => "fuling",
            Purpose::Land => "land_fuling",
        }
    }
}

/// A shipped scheme: a rule file chosen by name, and the shipped files it names.
#[derive(Debug)]
pub struct Scheme {
    /// The name given to `--rules`: the file name without `.toml`.
    pub name: &'static str,
    /// What it is for.
    pub purpose: Purpose,
    /// The other shipped files it reads (directly or through them), written out with it.
    pub needs: &'static [&'static str],
}

/// The shipped schemes, in the order `mujun rules` lists them.
pub static SCHEMES: &[Scheme] = &[
    Scheme { name: "fuling", purpose: Purpose::Evaluation, needs: &[] },
    Scheme { name: "huangyan_2022", purpose: Purpose::Evaluation, needs: &[] },
    Scheme { name: "hefei_gxq_2023", purpose: Purpose::Evaluation, needs: &[] },
    Scheme {
        name: "huaian_2024",
        purpose: Purpose::Evaluation,
        needs: &["huaian_2023_averages.csv"],
    },
    Scheme { name: "jingde_2022", purpose: Purpose::Evaluation, needs: &[] },
    Scheme {
        name: "land_fuling",
        purpose: Purpose::Land,
        needs: &["land_national.toml", "fuling.toml"],
    },
    Scheme { name: "land_national", purpose: Purpose::Land, needs: &["fuling.toml"] },
];

impl Scheme {
    /// The scheme's rule file name, e.g. `fuling.toml`.
    pub fn file_name(&self) -> String {
        format!("{}.toml", self.name)
    }

    /// The scheme's file and the files it needs, in that order.
    pub fn files(&self) -> Vec<&'static File> {
        let main = self.file_name();
        std::iter::once(main.as_str()).chain(self.needs.iter().copied()).filter_map(file).collect()
    }

    /// The title the file gives itself (`[meta] name`), or empty.
    pub fn title(&self) -> String {
        let text = file(&self.file_name()).map(|f| f.text).unwrap_or_default();
        let table: toml::Table = toml::from_str(text).unwrap_or_default();
        let meta = table.get("meta").and_then(|m| m.get("name")).and_then(|n| n.as_str());
        meta.unwrap_or_default().to_string()
    }
}

/// The shipped file named `name` (a file name such as `fuling.toml`; a leading `./` is ignored).
pub fn file(name: &str) -> Option<&'static File> {
    let name = name.strip_prefix("./").unwrap_or(name);
    FILES.iter().find(|f| f.name == name)
}

/// The shipped scheme named `name`, or a Chinese message listing the names (and the nearest).
pub fn scheme(name: &str) -> Result<&'static Scheme, String> {
    if let Some(s) = SCHEMES.iter().find(|s| s.name == name) {
        return Ok(s);
    }
    let names: Vec<&str> = SCHEMES.iter().map(|s| s.name).collect();
    let nearest = super::toml_error::nearest(name, &names)
        .map(|n| format!("，是否要用「{n}」？"))
        .unwrap_or_else(|| "。".into());
    Err(format!(
        "没有名为「{}」的内置规则方案{nearest}内置的评价规则：{}；土地核查规则：{}（也可给出规则文件的路径；mujun rules 列出各方案）",
        crate::console::escape(name),
        names_for(Purpose::Evaluation),
        names_for(Purpose::Land)
    ))
}

/// "fuling、huangyan_2022、…": the names of the schemes for `purpose`.
pub fn names_for(purpose: Purpose) -> String {
    let names: Vec<&str> =
        SCHEMES.iter().filter(|s| s.purpose == purpose).map(|s| s.name).collect();
    names.join("、")
}

/// Write `scheme`'s file and the files it needs into `dir` (made if missing), for editing. No
/// file is overwritten: if one is already there, nothing is written; if a write fails, the
/// files written before it are removed. Returns the paths written.
pub fn write_out(scheme: &Scheme, dir: &Path) -> Result<Vec<PathBuf>, RuleError> {
    let files = scheme.files();
    if let Some(path) =
        files.iter().map(|f| dir.join(f.name)).find(|p| p.symlink_metadata().is_ok())
    {
        return Err(RuleError::Exists { path });
    }
    std::fs::create_dir_all(dir)
        .map_err(|source| RuleError::Write { path: dir.to_path_buf(), source })?;
    let mut written = Vec::new();
    for f in files {
        let path = dir.join(f.name);
        if let Err(source) = write_new(&path, f.text) {
            let exists = source.kind() == std::io::ErrorKind::AlreadyExists;
            if !exists {
                written.push(path.clone()); // a part of it may have been written
            }
            written.iter().for_each(|p| drop(std::fs::remove_file(p)));
            return Err(match exists {
                true => RuleError::Exists { path },
                false => RuleError::Write { path, source },
            });
        }
        written.push(path);
    }
    Ok(written)
}

/// Write `text` to a file that must not exist yet, flushed to disk.
fn write_new(path: &Path, text: &str) -> std::io::Result<()> {
    let mut f = std::fs::OpenOptions::new().write(true).create_new(true).open(path)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_of_the_rules_folder_is_shipped_as_it_is() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
        let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        on_disk.sort();
        let shipped: Vec<&str> = FILES.iter().map(|f| f.name).collect();
        assert_eq!(on_disk, shipped);
        for f in FILES {
            assert_eq!(std::fs::read_to_string(dir.join(f.name)).unwrap(), f.text, "{}", f.name);
        }
    }

    #[test]
    fn every_scheme_and_what_it_needs_is_a_shipped_file() {
        for s in SCHEMES {
            assert_eq!(s.files().len(), 1 + s.needs.len(), "{}", s.name);
            assert!(!s.title().is_empty(), "{}", s.name);
        }
        let tomls = FILES.iter().filter(|f| f.name.ends_with(".toml")).count();
        assert_eq!(tomls, SCHEMES.len());
    }

    #[test]
    fn an_unknown_name_is_answered_with_the_nearest_and_the_list() {
        let e = scheme("fulin").unwrap_err();
        assert!(e.contains("没有名为「fulin」的内置规则方案，是否要用「fuling」？"), "{e}");
        assert!(
            e.contains("fuling、huangyan_2022、hefei_gxq_2023、huaian_2024、jingde_2022"),
            "{e}"
        );
        assert!(e.contains("土地核查规则：land_fuling、land_national"), "{e}");
        assert!(scheme("zzzzzzzzzz").unwrap_err().contains("内置规则方案。内置的评价规则"));
    }
}
