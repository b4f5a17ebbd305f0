//! The review round after scoring (公示, 异议, 复核): the objections table a bureau imports
//! ([`objections`]), the accepted corrections laid over a re-run's inputs ([`corrections`]) and the comparison of two runs that explains every change ([`diff`]).

pub mod corrections;
pub mod diff;
pub mod objections;
