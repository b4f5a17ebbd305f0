//! The integration tests, one module per area, in one test binary (one link of polars).

#![allow(dead_code)]

mod common;
mod land_common;
mod report_common;

mod ages;
mod architecture;
mod browser;
mod fuzz;
mod ingest_previous;
mod ingest_problems;
mod ingest_workbooks;
mod land_checks;
mod land_penalties;
mod land_register;
mod land_rules;
mod land_schedule;
mod land_workbook;
mod numbers;
mod outputs_whole;
mod report_bureau;
mod report_explain;
mod report_machine;
mod report_parks;
mod report_rules;
mod report_years;
mod report_yoy;
mod review_confirm;
mod review_diff;
mod review_objections;
mod rule_errors;
mod sample_years;
mod scheme_hefei_gxq_2023;
mod scheme_huaian_2024;
mod scheme_huangyan_2022;
mod scheme_jingde_2022;
mod scoring_mechanics;
mod serve;
mod serve_harness;
mod serve_land;
mod serve_newrun;
mod serve_results;
mod serve_review;
mod shipped_rules;
mod store_import;
mod store_kill;
mod store_record;
mod store_runs;
mod tax_basket;
mod users;
mod workbook_fuling;
