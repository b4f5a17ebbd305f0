//! Dependencies point one way. Every file under src/ is read for the paths it names (`crate::x`,
//! `super::x`, `self::x` and `use crate::{…}` groups; comments and string literals skipped); the
//! graph among the top-level modules (ingest, rules, score, tier, evaluation, report, land, …)
//! and among the submodules of each must have no cycle. A cycle is printed with the file and
//! line of each of its edges.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::Path;

/// A dependency graph: from → to → where it was first seen ("src/x.rs:12").
type Graph = BTreeMap<String, BTreeMap<String, String>>;

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    /// `::`
    Sep,
    Open,
    Close,
    Comma,
    Other,
}

/// Rust tokens enough to find paths, with their 1-based lines: comments, strings (raw ones
/// too) and char literals are skipped, lifetimes are not taken for char literals.
fn tokens(src: &str) -> Vec<(Tok, usize)> {
    let s: Vec<char> = src.chars().collect();
    let (mut i, mut line, mut out) = (0, 1, Vec::new());
    let at = |i: usize| s.get(i).copied().unwrap_or('\0');
    while i < s.len() {
        let c = s[i];
        let start = line;
        match c {
            '\n' => {
                line += 1;
                i += 1;
            }
            '/' if at(i + 1) == '/' => {
                while i < s.len() && s[i] != '\n' {
                    i += 1;
                }
            }
            '/' if at(i + 1) == '*' => {
                let (mut depth, mut j) = (1, i + 2);
                while j < s.len() && depth > 0 {
                    match (s[j], at(j + 1)) {
                        ('/', '*') => (depth, j) = (depth + 1, j + 2),
                        ('*', '/') => (depth, j) = (depth - 1, j + 2),
                        (ch, _) => {
                            line += (ch == '\n') as usize;
                            j += 1;
                        }
                    }
                }
                i = j;
            }
            '"' => {
                i += 1;
                while i < s.len() && s[i] != '"' {
                    line += (s[i] == '\n') as usize;
                    i += if s[i] == '\\' { 2 } else { 1 };
                }
                i += 1;
            }
            '\'' if at(i + 1) == '\\' => {
                i += 2;
                while i < s.len() && s[i] != '\'' {
                    i += 1;
                }
                i += 1;
            }
            '\'' if at(i + 2) == '\'' => i += 3,
            ':' if at(i + 1) == ':' => {
                out.push((Tok::Sep, start));
                i += 2;
            }
            '{' | '}' | ',' => {
                out.push((
                    match c {
                        '{' => Tok::Open,
                        '}' => Tok::Close,
                        _ => Tok::Comma,
                    },
                    start,
                ));
                i += 1;
            }
            c if c.is_alphanumeric() || c == '_' => {
                let j = (i..s.len()).find(|&j| !(s[j].is_alphanumeric() || s[j] == '_'));
                let j = j.unwrap_or(s.len());
                let word: String = s[i..j].iter().collect();
                let hashes = (j..s.len()).take_while(|&k| s[k] == '#').count();
                if (word == "r" || word == "br") && at(j + hashes) == '"' {
                    // A raw string: up to `"` and as many `#`.
                    let close: String =
                        std::iter::once('"').chain("#".repeat(hashes).chars()).collect();
                    let rest: String = s[j + hashes + 1..].iter().collect();
                    let len = rest.find(&close).map_or(rest.len(), |p| p + close.len());
                    let body = &rest[..len];
                    line += body.matches('\n').count();
                    i = j + hashes + 1 + body.chars().count();
                    continue;
                }
                if !c.is_ascii_digit() {
                    out.push((Tok::Ident(word), start));
                }
                i = j;
            }
            _ => {
                if !c.is_whitespace() {
                    out.push((Tok::Other, start));
                }
                i += 1;
            }
        }
    }
    out
}

/// The paths a path tree names from token `i` on (`a::b::{c, d::e}` gives a::b::c and
/// a::b::d::e), with their lines; returns the index after the tree.
fn tree(
    t: &[(Tok, usize)],
    mut i: usize,
    mut path: Vec<String>,
    out: &mut Vec<(Vec<String>, usize)>,
) -> usize {
    let line = t.get(i).map_or(0, |x| x.1);
    while let Some((Tok::Ident(seg), _)) = t.get(i) {
        if seg != "self" || path.is_empty() {
            path.push(seg.clone());
        }
        i += 1;
        if t.get(i).map(|x| &x.0) != Some(&Tok::Sep) {
            break;
        }
        i += 1;
        if t.get(i).map(|x| &x.0) == Some(&Tok::Open) {
            i += 1;
            while i < t.len() && t[i].0 != Tok::Close {
                if t[i].0 == Tok::Comma {
                    i += 1;
                    continue;
                }
                if t[i].0 == Tok::Ident("as".into()) {
                    i += 2; // a rename
                    continue;
                }
                let before = i;
                i = tree(t, i, path.clone(), out);
                if i == before {
                    i += 1;
                }
            }
            return i + 1;
        }
    }
    out.push((path, line));
    i
}

/// The module a file is: `src/report/yoy.rs` → report::yoy, `src/report/mod.rs` → report.
fn module_of(rel: &Path) -> Vec<String> {
    let mut m: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    let last = m.pop().unwrap_or_default();
    let stem = last.trim_end_matches(".rs");
    if !matches!(stem, "mod" | "lib") {
        m.push(stem.to_string());
    }
    m
}

/// Every path a file names, made absolute (from the crate root), with its line. Paths inside an
/// inline `mod x { … }` resolve from that module.
fn paths_of(module: &[String], src: &str) -> Vec<(Vec<String>, usize)> {
    let t = tokens(src);
    let mut inline: Vec<(String, usize)> = Vec::new();
    let (mut depth, mut out) = (0usize, Vec::new());
    let mut i = 0;
    while i < t.len() {
        match &t[i].0 {
            Tok::Open => depth += 1,
            Tok::Close => {
                depth = depth.saturating_sub(1);
                if inline.last().is_some_and(|m| m.1 == depth) {
                    inline.pop();
                }
            }
            Tok::Ident(w) if w == "mod" => {
                if let (Some((Tok::Ident(name), _)), Some((Tok::Open, _))) =
                    (t.get(i + 1), t.get(i + 2))
                {
                    inline.push((name.clone(), depth));
                }
            }
            Tok::Ident(w)
                if matches!(w.as_str(), "crate" | "super" | "self")
                    && t.get(i + 1).map(|x| &x.0) == Some(&Tok::Sep)
                    && (i == 0 || t[i - 1].0 != Tok::Sep) =>
            {
                let here: Vec<String> =
                    module.iter().cloned().chain(inline.iter().map(|m| m.0.clone())).collect();
                let mut found = Vec::new();
                let next = tree(&t, i, Vec::new(), &mut found);
                for (p, line) in found {
                    out.push((absolute(&here, &p), line));
                }
                i = next;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// `p` (starting with crate, super or self) from the crate root, seen from module `here`.
fn absolute(here: &[String], p: &[String]) -> Vec<String> {
    let mut abs: Vec<String> = if p[0] == "crate" { Vec::new() } else { here.to_vec() };
    let mut rest = if p[0] == "crate" || p[0] == "self" { &p[1..] } else { p };
    while rest.first().is_some_and(|s| s == "super") {
        abs.pop();
        rest = &rest[1..];
    }
    abs.extend(rest.iter().cloned());
    abs
}

/// Modules of a folder: its .rs files (but mod/lib/main) and its subfolders.
fn modules_in(dir: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if e.path().is_dir() {
            out.insert(name);
        } else if let Some(stem) = name.strip_suffix(".rs") {
            if !matches!(stem, "mod" | "lib" | "main") {
                out.insert(stem.to_string());
            }
        }
    }
    out
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The graphs of src/: "" among the top-level modules, and per top-level module with
/// submodules, among those.
fn graphs(src: &Path) -> BTreeMap<String, Graph> {
    let top = modules_in(src);
    let mut out: BTreeMap<String, Graph> = BTreeMap::new();
    let mut files = Vec::new();
    rust_files(src, &mut files);
    for file in files {
        let rel = file.strip_prefix(src).unwrap();
        if rel == Path::new("main.rs") {
            continue; // the binary: it names the library as `mujun::`
        }
        let module = module_of(rel);
        let Some(cur) = module.first() else { continue };
        let text = std::fs::read_to_string(&file).unwrap();
        let subs = modules_in(&src.join(cur));
        for (abs, line) in paths_of(&module, &text) {
            let at = format!("src/{}:{line}", rel.display());
            let mut add = |graph: &str, from: &str, to: &str| {
                let g = out.entry(graph.to_string()).or_default();
                g.entry(from.to_string()).or_default().entry(to.to_string()).or_insert(at.clone());
            };
            match abs.first() {
                Some(to) if to != cur && top.contains(to) => add("", cur, to),
                Some(to) if to == cur && module.len() > 1 && abs.len() > 1 => {
                    let (from, to) = (&module[1], &abs[1]);
                    if from != to && subs.contains(from) && subs.contains(to) {
                        add(cur, from, to);
                    }
                }
                _ => {}
            }
        }
    }
    out
}

/// The strongly connected parts of `g` with more than one module (Tarjan's algorithm), each
/// sorted: the modules that depend on each other.
fn parts(g: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct State<'g> {
        g: &'g BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'g str, usize>,
        low: BTreeMap<&'g str, usize>,
        stack: Vec<&'g str>,
        parts: Vec<Vec<&'g str>>,
    }
    fn visit<'g>(st: &mut State<'g>, v: &'g str) {
        let n = st.index.len();
        st.index.insert(v, n);
        st.low.insert(v, n);
        st.stack.push(v);
        for w in st.g.get(v).into_iter().flatten() {
            if !st.index.contains_key(w.as_str()) {
                visit(st, w);
                let lw = st.low[w.as_str()];
                st.low.entry(v).and_modify(|l| *l = (*l).min(lw));
            } else if st.stack.contains(&w.as_str()) {
                let iw = st.index[w.as_str()];
                st.low.entry(v).and_modify(|l| *l = (*l).min(iw));
            }
        }
        if st.low[v] == st.index[v] {
            let at = st.stack.iter().rposition(|x| *x == v).unwrap();
            let part = st.stack.split_off(at);
            if part.len() > 1 {
                st.parts.push(part);
            }
        }
    }
    let mut st = State {
        g,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        parts: Vec::new(),
    };
    for v in g.keys() {
        if !st.index.contains_key(v.as_str()) {
            visit(&mut st, v);
        }
    }
    let mut out: Vec<Vec<String>> = st
        .parts
        .iter()
        .map(|p| {
            let mut p: Vec<String> = p.iter().map(|m| m.to_string()).collect();
            p.sort();
            p
        })
        .collect();
    out.sort();
    out
}

/// One cycle per part of [`parts`]: the shortest way from the part's first module back to it,
/// as the modules along it, the first repeated at the end.
fn cycles(g: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for part in parts(g) {
        let part: Vec<&str> = part.iter().map(String::as_str).collect();
        let start = part[0];
        // Breadth first from `start` inside the part, back to `start`.
        let mut came: BTreeMap<&str, &str> = BTreeMap::new();
        let mut queue = VecDeque::from([start]);
        'search: while let Some(v) = queue.pop_front() {
            for w in g.get(v).into_iter().flatten().map(String::as_str) {
                if w == start {
                    let mut path = vec![start.to_string()];
                    let mut x = v;
                    while x != start {
                        path.push(x.to_string());
                        x = came[x];
                    }
                    path.push(start.to_string());
                    path.reverse();
                    out.push(path);
                    break 'search;
                }
                if part.contains(&w) && !came.contains_key(w) {
                    came.insert(w, v);
                    queue.push_back(w);
                }
            }
        }
    }
    out.sort();
    out
}

fn edges_only(g: &Graph) -> BTreeMap<String, BTreeSet<String>> {
    g.iter().map(|(k, v)| (k.clone(), v.keys().cloned().collect())).collect()
}

#[test]
fn the_modules_import_one_way() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let all = graphs(&src);
    let mut found = Vec::new();
    for (scope, g) in &all {
        for c in cycles(&edges_only(g)) {
            let name =
                |m: &str| if scope.is_empty() { m.to_string() } else { format!("{scope}::{m}") };
            let steps: Vec<String> = c
                .windows(2)
                .map(|w| format!("  {} → {}（{}）", name(&w[0]), name(&w[1]), g[&w[0]][&w[1]]))
                .collect();
            let members: Vec<String> = parts(&edges_only(g))
                .into_iter()
                .find(|p| p.contains(&c[0]))
                .unwrap_or_default()
                .iter()
                .map(|m| name(m))
                .collect();
            found.push(format!(
                "依赖成环 / import cycle（互相依赖的模块 / modules in it: {}）:\n{}",
                members.join(", "),
                steps.join("\n")
            ));
        }
    }
    assert!(found.is_empty(), "\n{}", found.join("\n"));
    assert!(all[""].len() >= 8, "the top-level graph was read: {:?}", all[""].keys());
}

fn graph(edges: &[(&str, &str)]) -> BTreeMap<String, BTreeSet<String>> {
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (a, b) in edges {
        g.entry(a.to_string()).or_default().insert(b.to_string());
    }
    g
}

/// a → b → c → a is found (from its first module, a) beside a way in from d; a graph that only
/// points down has none; two separate cycles are both found, the shorter way round taken.
#[test]
fn the_cycle_finder_finds_cycles() {
    let one = graph(&[("a", "b"), ("b", "c"), ("c", "a"), ("d", "a"), ("c", "e")]);
    assert_eq!(cycles(&one), [["a", "b", "c", "a"]]);
    assert_eq!(parts(&one), [["a", "b", "c"]]);
    let down = graph(&[("report", "score"), ("score", "rules"), ("report", "rules")]);
    assert!(cycles(&down).is_empty());
    let two = graph(&[("x", "y"), ("y", "x"), ("p", "q"), ("q", "r"), ("r", "p"), ("q", "p")]);
    assert_eq!(cycles(&two), [vec!["p", "q", "p"], vec!["x", "y", "x"]]);
}

/// Paths are read from `use` groups, `super::` and expressions; not from comments, strings or
/// `pub(crate)`; an inline test module's `super` is its own file.
#[test]
fn paths_are_read_as_rust_names_them() {
    let src = r##"
        //! See [`crate::land`] — a comment.
        use crate::{ingest::previous::{self, Previous}, rules::Rules as R};
        use super::{analysis::Analysis, table};
        pub(crate) fn f() -> String {
            let s = "crate::sample::x"; let r = r#"super::park"#; let c = '{';
            crate::score::all(super::yoy::movement(), 'a');
            format!("{}", s)
        }
        #[cfg(test)]
        mod tests { use super::f; }
    "##;
    let module = vec!["report".to_string(), "export".to_string()];
    let got: BTreeSet<String> =
        paths_of(&module, src).into_iter().map(|(p, _)| p.join("::")).collect();
    let want: BTreeSet<String> = [
        "ingest::previous",
        "ingest::previous::Previous",
        "rules::Rules",
        "report::analysis::Analysis",
        "report::table",
        "score::all",
        "report::yoy::movement",
        "report::export::f",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_eq!(got, want);
    let lines: Vec<usize> = paths_of(&module, src).into_iter().map(|(_, l)| l).collect();
    assert!(lines.contains(&7), "{lines:?}");
}
