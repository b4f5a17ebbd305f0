//! mujun — 亩均效益综合评价 engine.
//!
//! The pipeline, one module per stage: [`ingest`] (files in, typed tables and problems out) →
//! [`rules`] (TOML → checked, compiled rules) → [`score`] → [`tier`] → [`report`].
//! [`evaluation::run`] chains score and tier; [`cmd`] holds one module per subcommand.

pub mod cmd;
pub mod credit_code;
pub mod evaluation;
pub mod ingest;
pub mod land;
pub mod report;
pub mod rules;
pub mod sample;
pub mod score;
pub mod tier;

/// Every failure that ends a command, by stage. Mapped to exit codes in `main`.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Rules(#[from] rules::RuleError),
    #[error(transparent)]
    Ingest(#[from] ingest::IngestError),
    #[error(transparent)]
    Score(#[from] evaluation::ScoreError),
    #[error(transparent)]
    Report(#[from] report::ReportError),
    #[error(transparent)]
    Sample(#[from] sample::SampleError),
    #[error(transparent)]
    Land(#[from] land::LandError),
    /// The run finished but the input had errors (listed in 问题清单).
    #[error("输入数据中有{0}个错误（详见工作簿「问题清单」），请更正后重新评价")]
    InputErrors(usize),
}

impl Error {
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Rules(_) => 3,
            Error::Ingest(_) | Error::InputErrors(_) => 4,
            Error::Score(_) => 5,
            Error::Report(_) | Error::Sample(_) => 6,
            Error::Land(e) => e.exit_code(),
        }
    }
}
