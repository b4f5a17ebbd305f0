//! The review round after scoring (公示, 异议, 复核): for now the comparison of two runs that
//! explains every change ([`diff`]).

pub mod diff;
