//! How a sheet prints: A4, the orientation its width needs, one page wide (as many pages tall as
//! it takes), the header rows repeated on every page, the title in the page header and
//! "第 N 页，共 M 页" in the footer.

use rust_xlsxwriter::{Worksheet, XlsxError};

/// Excel's paper size code of A4.
const A4: u8 = 9;
/// Excel's limit on a page header, in UTF-16 units; rust_xlsxwriter drops a longer header with an
/// English warning on stderr.
const HEADER_LIMIT: usize = 255;

/// What a sheet's print setup needs to know.
#[derive(Debug, Clone, Copy)]
pub struct Print<'t> {
    /// The title printed at the top of every page.
    pub title: &'t str,
    /// Wider than a portrait A4 page (about 8 columns of text): printed landscape.
    pub landscape: bool,
    /// The rows repeated at the top of every page (first, last), zero-based; none for a sheet
    /// whose tables have no single header.
    pub repeat: Option<(u32, u32)>,
}

/// The centred page header for `title` (`&` escaped), cut with "…" to Excel's limit (a park's
/// name can be of any length).
pub fn page_header(title: &str) -> String {
    let mut h = format!("&C{}", title.replace('&', "&&"));
    if h.encode_utf16().count() <= HEADER_LIMIT {
        return h;
    }
    while h.encode_utf16().count() + 1 > HEADER_LIMIT {
        h.pop();
    }
    // An odd run of '&' at the end would start a header code: drop the unpaired one.
    if (h.len() - h.trim_end_matches('&').len()) % 2 == 1 {
        h.pop();
    }
    h.push('…');
    h
}

/// Set `ws` up for printing as `p` says.
pub fn setup(ws: &mut Worksheet, p: Print) -> Result<(), XlsxError> {
    ws.set_paper_size(A4);
    if p.landscape {
        ws.set_landscape();
    } else {
        ws.set_portrait();
    }
    ws.set_print_fit_to_pages(1, 0);
    ws.set_header(page_header(p.title));
    ws.set_footer("&C第 &P 页，共 &N 页");
    if let Some((first, last)) = p.repeat {
        ws.set_repeat_rows(first, last)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_title_gives_a_cut_header_within_excels_limit() {
        assert_eq!(page_header("A&B"), "&CA&&B");
        let long = "园".repeat(300);
        let h = page_header(&long);
        assert!(h.encode_utf16().count() <= HEADER_LIMIT && h.ends_with('…'));
        let amps = "&".repeat(300);
        let h = page_header(&amps);
        assert!(h.encode_utf16().count() <= HEADER_LIMIT);
        assert_eq!((h.len() - 2 - '…'.len_utf8()) % 2, 0, "the &s stay paired");
    }
}
