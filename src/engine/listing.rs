//! The content folder's files by what the engine does with them (pages, snippets, assets),
//! with the paths whose record [`super::inputs::Files::refresh`] brings up to date: made
//! again only when the listing or the theme is another one. A listing is the very same
//! (shared) list while the folder's files are the same ([`crate::discover::Listed`]), and so
//! is a theme whose files read the same, so an edit inside a file reuses the lists whole.

use std::path::PathBuf;
use std::sync::Arc;

use crate::discover::{Listed, SourceFile, SourceKind};
use crate::render::{OutFile, Theme};

/// The files of one listing, by kind, in the listing's order.
pub struct Split {
    /// The pages' Markdown files: articles and collection indexes.
    pub md: Vec<SourceFile>,
    pub snippets: Vec<SourceFile>,
    /// Shared with the sites assembled from it.
    pub assets: Arc<Vec<SourceFile>>,
    /// The pages' files, then the snippets': the files read as text.
    pub texts: Vec<PathBuf>,
    /// The assets, then the theme's files copied as they are: the files only stamped.
    pub others: Vec<PathBuf>,
}

impl Split {
    fn of(files: &[SourceFile], theme: Option<&Theme>) -> Split {
        let kind = |k: SourceKind| files.iter().filter(move |f| f.kind == k);
        let md: Vec<SourceFile> = (files.iter())
            .filter(|f| !matches!(f.kind, SourceKind::Asset | SourceKind::Snippet))
            .cloned()
            .collect();
        let snippets: Vec<SourceFile> = kind(SourceKind::Snippet).cloned().collect();
        let assets: Vec<SourceFile> = kind(SourceKind::Asset).cloned().collect();
        let texts = (md.iter().chain(&snippets))
            .map(|f| f.abs.clone())
            .collect();
        let mut others: Vec<PathBuf> = assets.iter().map(|f| f.abs.clone()).collect();
        if let Some(t) = theme {
            others.extend(t.static_files().iter().filter_map(|f| match f {
                OutFile::Copy(_, from) => Some(from.clone()),
                OutFile::Bytes(..) => None,
            }));
        }
        Split {
            md,
            snippets,
            assets: Arc::new(assets),
            texts,
            others,
        }
    }
}

/// The last split, with the listing and the theme it was made of.
#[derive(Default)]
pub struct Memo {
    last: Option<(Listed, Option<Arc<Theme>>, Arc<Split>)>,
}

impl Memo {
    /// The files of `listed` by kind, with the theme's files when there is a theme: the last
    /// split when both are the very ones it was made of.
    pub fn split(&mut self, listed: &Listed, theme: Option<&Arc<Theme>>) -> Arc<Split> {
        if let Some((l, t, split)) = &self.last
            && Arc::ptr_eq(l, listed)
            && t.as_ref().map(Arc::as_ptr) == theme.map(Arc::as_ptr)
        {
            return split.clone();
        }
        let split = Arc::new(Split::of(&listed.0, theme.map(|t| &**t)));
        self.last = Some((listed.clone(), theme.cloned(), split.clone()));
        split
    }
}
