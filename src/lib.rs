//! mujun — 亩均效益综合评价 engine.
//!
//! The pipeline, one module per stage: [`ingest`] (files in, typed tables and problems out) →
//! [`rules`] (TOML → checked, compiled rules) → [`score`] → [`tier`] → [`report`].
//! [`evaluation::run`] chains score and tier; [`cmd`] holds one module per subcommand.

#![warn(missing_docs)]

pub mod cmd;
pub mod columns;
pub mod console;
pub mod credit_code;
pub mod evaluation;
pub mod guard;
pub mod ingest;
pub mod land;
pub mod password;
pub mod pipeline;
pub mod publish;
pub mod report;
pub mod review;
pub mod rules;
pub mod sample;
pub mod score;
pub mod serve;
pub mod sheet;
pub mod store;
pub mod tier;
pub mod zh;

/// The process's peak resident memory so far in bytes (Linux `VmHWM`); `None` elsewhere. Shown by
/// `evaluate --verbose` after each phase.
pub fn peak_memory() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Every failure that ends a command, by stage. Mapped to exit codes in `main`.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The rule file could not be read, parsed or checked (exit code 3).
    #[error(transparent)]
    Rules(#[from] rules::RuleError),
    /// An input file could not be read or recognised (exit code 4).
    #[error(transparent)]
    Ingest(#[from] ingest::IngestError),
    /// Scoring or tiering failed inside the table engine (exit code 5).
    #[error(transparent)]
    Score(#[from] evaluation::ScoreError),
    /// A report could not be built or written (exit code 6).
    #[error(transparent)]
    Report(#[from] report::ReportError),
    /// `mujun sample` could not generate its files (exit code 6).
    #[error(transparent)]
    Sample(#[from] sample::SampleError),
    /// `mujun land` (标准地 checks) failed; the exit code is the land error's own.
    #[error(transparent)]
    Land(#[from] land::LandError),
    /// The output folder could not be locked, staged or published (exit code 7 when another
    /// run holds it, 6 otherwise).
    #[error(transparent)]
    Publish(#[from] publish::PublishError),
    /// A workbook could not be written.
    #[error(transparent)]
    Sheet(#[from] sheet::BookError),
    /// The year store could not be opened, read or written (exit code 8).
    #[error(transparent)]
    Store(#[from] store::StoreError),
    /// The workbench could not start or stopped with a failure (exit code 9).
    #[error(transparent)]
    Serve(#[from] serve::ServeError),
    /// An objections table was refused (exit code 4, as bad input).
    #[error(transparent)]
    Objections(#[from] review::objections::ObjectionError),
    /// An accepted correction could not be laid over the inputs (exit code 4, as bad input).
    #[error(transparent)]
    Correction(#[from] review::corrections::CorrectionError),
    /// Two runs could not be compared (exit code 10).
    #[error(transparent)]
    Diff(#[from] review::diff::DiffError),
    /// The run finished but the input had errors (listed in 问题清单).
    #[error("输入数据中有{0}个错误（详见工作簿「问题清单」），请更正后重新评价")]
    InputErrors(usize),
}

impl Error {
    /// The process exit code for this failure: 3 rules, 4 input, 5 scoring, 6 writing, 7 output
    /// folder busy, 8 the store, 9 the workbench, 10 a comparison; land errors carry their own.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Rules(_) => 3,
            Error::Ingest(_) | Error::InputErrors(_) | Error::Objections(_) => 4,
            Error::Correction(_) => 4,
            Error::Score(_) => 5,
            Error::Report(_) | Error::Sample(_) | Error::Sheet(_) => 6,
            Error::Land(e) => e.exit_code(),
            Error::Publish(publish::PublishError::Busy { .. }) => 7,
            Error::Publish(_) => 6,
            Error::Store(_) => 8,
            Error::Serve(_) => 9,
            Error::Diff(_) => 10,
        }
    }
}
