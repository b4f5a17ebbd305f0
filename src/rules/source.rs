//! Where a rule file is read from: a file on disk, or one shipped inside the binary. The files a
//! rule file names (a benchmark CSV, the evaluation rules of a land scheme, included controls)
//! are looked up next to it: in its folder on disk, or among the shipped files.

use std::borrow::Cow;
use std::fmt;
use std::path::{Path, PathBuf};

use super::shipped::{self, Purpose};
use super::RuleError;

/// Where a rule file is read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A file on disk; the files it names are relative to its folder.
    File(PathBuf),
    /// A shipped file by file name (`fuling.toml`); the files it names are shipped ones too.
    Shipped(String),
}

impl Source {
    /// A `--rules` value: an existing file, or a value containing `/` or `\` or ending in
    /// `.toml`, is a path; anything else names a shipped scheme (Chinese message if none).
    pub fn parse(value: &str) -> Result<Source, String> {
        let path = Path::new(value);
        if path.is_file() || value.contains(['/', '\\']) || value.ends_with(".toml") {
            return Ok(Source::File(path.to_path_buf()));
        }
        shipped::scheme(value).map(|s| Source::Shipped(s.file_name()))
    }

    /// The rules when `--rules` is not given: `rules/<scheme>.toml` if the working folder has it
    /// (a checkout of the repository), else the shipped scheme of that name.
    pub fn default_for(purpose: Purpose) -> Source {
        let file = format!("{}.toml", purpose.default_scheme());
        let path = PathBuf::from(format!("rules/{file}"));
        if path.is_file() {
            Source::File(path)
        } else {
            Source::Shipped(file)
        }
    }

    /// The name shown in outputs and messages: the path as given, or `fuling.toml（程序内置）`.
    pub fn name(&self) -> PathBuf {
        match self {
            Source::File(p) => p.clone(),
            Source::Shipped(n) => PathBuf::from(format!("{n}（程序内置）")),
        }
    }

    /// The file's bytes.
    pub fn bytes(&self) -> std::io::Result<Cow<'static, [u8]>> {
        match self {
            Source::File(p) => std::fs::read(p).map(Cow::Owned),
            Source::Shipped(n) => shipped::file(n)
                .map(|f| Cow::Borrowed(f.text.as_bytes()))
                .ok_or_else(|| std::io::ErrorKind::NotFound.into()),
        }
    }

    /// The file's text; a rule error naming the file when it cannot be read.
    pub fn read(&self) -> Result<Cow<'static, str>, RuleError> {
        let io = |source| RuleError::Io { path: self.name(), source };
        match self {
            Source::File(p) => std::fs::read_to_string(p).map(Cow::Owned).map_err(io),
            Source::Shipped(n) => shipped::file(n)
                .map(|f| Cow::Borrowed(f.text))
                .ok_or_else(|| io(std::io::ErrorKind::NotFound.into())),
        }
    }

    /// The file that `rel`, written inside this one, names.
    pub fn join(&self, rel: &str) -> Source {
        match self {
            Source::File(p) => Source::File(p.parent().unwrap_or(Path::new("")).join(rel)),
            Source::Shipped(_) => Source::Shipped(rel.strip_prefix("./").unwrap_or(rel).into()),
        }
    }

    /// Whether the file is there (a file on disk, or one of the shipped files).
    pub fn exists(&self) -> bool {
        match self {
            Source::File(p) => p.is_file(),
            Source::Shipped(n) => shipped::file(n).is_some(),
        }
    }

    /// A shipped scheme for another purpose than `purpose` is an error (a land scheme given to
    /// `evaluate`, say); a file on disk is taken as it is.
    pub fn check_purpose(&self, purpose: Purpose) -> Result<(), RuleError> {
        let Source::Shipped(n) = self else { return Ok(()) };
        let name = n.strip_suffix(".toml").unwrap_or(n);
        match shipped::SCHEMES.iter().find(|s| s.name == name) {
            Some(s) if s.purpose != purpose => Err(RuleError::Purpose {
                name: name.to_string(),
                is: s.purpose.label(),
                wanted: purpose.label(),
                names: shipped::names_for(purpose),
            }),
            _ => Ok(()),
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.name().display())
    }
}

/// What names a rule file for [`super::load`] and [`crate::land::controls::load`]: a path on
/// disk (`Path`, `PathBuf`) or a [`Source`].
pub trait AsSource {
    /// The source it names.
    fn as_source(&self) -> Source;
}

impl AsSource for Path {
    fn as_source(&self) -> Source {
        Source::File(self.to_path_buf())
    }
}

impl AsSource for PathBuf {
    fn as_source(&self) -> Source {
        Source::File(self.clone())
    }
}

impl AsSource for Source {
    fn as_source(&self) -> Source {
        self.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_is_a_path_when_it_looks_like_one_and_a_name_otherwise() {
        let file = |s: &str| Source::File(s.into());
        assert_eq!(Source::parse("my/rules"), Ok(file("my/rules")));
        assert_eq!(Source::parse(r"d:\规则\本区"), Ok(file(r"d:\规则\本区")));
        assert_eq!(Source::parse("本区.toml"), Ok(file("本区.toml")));
        assert_eq!(Source::parse("huaian_2024"), Ok(Source::Shipped("huaian_2024.toml".into())));
        assert!(Source::parse("huaian2024").unwrap_err().contains("是否要用「huaian_2024」"));
    }

    #[test]
    fn a_shipped_file_names_shipped_files_and_a_path_its_neighbours() {
        let shipped = Source::Shipped("huaian_2024.toml".into());
        assert_eq!(
            shipped.join("./huaian_2023_averages.csv").to_string(),
            "huaian_2023_averages.csv（程序内置）"
        );
        assert!(shipped.join("huaian_2023_averages.csv").exists());
        assert!(!shipped.join("nope.csv").exists());
        let disk = Source::File("rules/huaian_2024.toml".into());
        assert_eq!(disk.join("a.csv"), Source::File("rules/a.csv".into()));
    }

    #[test]
    fn a_land_scheme_is_refused_for_evaluation() {
        let land = Source::Shipped("land_fuling.toml".into());
        assert!(land.check_purpose(Purpose::Land).is_ok());
        let e = land.check_purpose(Purpose::Evaluation).unwrap_err().to_string();
        assert!(e.starts_with("「land_fuling」是土地核查规则方案，不能用于评价"), "{e}");
    }
}
