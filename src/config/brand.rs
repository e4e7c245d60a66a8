//! The `[brand]` table of `book.toml`: logo, favicon and accent colour, validated.
//!
//! In: [`super::raw::RawBrand`] and the file's text (for locations). Out: a [`Brand`], or
//! errors for a colour that is not `#rrggbb`/`#rgb` and for a logo or favicon that is not a
//! file in the content folder, plus warnings for an accent that fails WCAG AA contrast (4.5:1,
//! as the accent colours links) against the page background of either scheme.

use std::path::Path;

use super::raw::RawBrand;
use super::{find_key_value, value_error};
use crate::diagnostics::Diagnostic;

/// The page backgrounds of the default theme's two schemes.
pub const LIGHT_BG: Rgb = Rgb(0xff, 0xff, 0xff);
pub const DARK_BG: Rgb = Rgb(0x11, 0x14, 0x18);
/// The dark text the theme puts on a light accent.
const DARK_TEXT: Rgb = Rgb(0x0d, 0x13, 0x22);
/// WCAG AA for normal text.
const AA: f64 = 4.5;

/// An sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// `#rrggbb` or `#rgb`.
    pub fn parse(s: &str) -> Option<Rgb> {
        let hex = s.strip_prefix('#')?;
        let digit = |i: usize, len: usize| u8::from_str_radix(hex.get(i..i + len)?, 16).ok();
        match hex.len() {
            6 => Some(Rgb(digit(0, 2)?, digit(2, 2)?, digit(4, 2)?)),
            3 => Some(Rgb(digit(0, 1)? * 17, digit(1, 1)? * 17, digit(2, 1)? * 17)),
            _ => None,
        }
    }

    pub fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }

    /// WCAG relative luminance.
    fn luminance(self) -> f64 {
        let channel = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(self.0) + 0.7152 * channel(self.1) + 0.0722 * channel(self.2)
    }

    /// WCAG contrast ratio, 1 to 21.
    pub fn contrast(self, other: Rgb) -> f64 {
        let (a, b) = (self.luminance(), other.luminance());
        (a.max(b) + 0.05) / (a.min(b) + 0.05)
    }

    /// White or dark text, whichever reads better on this colour.
    pub fn text_on(self) -> Rgb {
        let white = Rgb(0xff, 0xff, 0xff);
        if self.contrast(white) >= self.contrast(DARK_TEXT) {
            white
        } else {
            DARK_TEXT
        }
    }
}

/// The validated `[brand]` table. Paths are relative to the content folder, which is where
/// the files are copied from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Brand {
    pub logo: Option<String>,
    pub favicon: Option<String>,
    /// The accent on light pages, and on dark ones (`accent-dark`, else `accent`).
    pub accent: Option<(Rgb, Rgb)>,
}

/// Validates `[brand]`: errors go to `errors`, contrast warnings to `warnings`.
pub fn validate(
    raw: RawBrand,
    content_dir: &Path,
    path: &Path,
    source: &str,
    errors: &mut Vec<Diagnostic>,
    warnings: &mut Vec<Diagnostic>,
) -> Brand {
    let mut file = |key: &str, value: Option<String>| {
        let value = value?;
        let rel = value.trim_start_matches('/');
        if content_dir.join(rel).is_file() && !rel.split('/').any(|s| s == "..") {
            Some(rel.to_string())
        } else {
            errors.push(value_error(
                path,
                source,
                key,
                &value,
                "a file in the content folder",
                &format!("there is no `{rel}` in the content folder"),
            ));
            None
        }
    };
    let logo = file("logo", raw.logo);
    let favicon = file("favicon", raw.favicon);
    let mut colour = |key: &str, value: &Option<String>| {
        let value = value.as_deref()?;
        let parsed = Rgb::parse(value);
        if parsed.is_none() {
            errors.push(value_error(
                path,
                source,
                key,
                value,
                "a colour written as \"#rrggbb\" or \"#rgb\"",
                "e.g. \"#2952cc\"",
            ));
        }
        parsed
    };
    let light = colour("accent", &raw.accent);
    let dark = colour("accent-dark", &raw.accent_dark).or(light);
    let accent = match (light, dark) {
        (Some(l), Some(d)) => Some((l, d)),
        _ => None,
    };
    if let Some((l, d)) = accent {
        let checks = [
            ("accent", &raw.accent, l, LIGHT_BG, "light"),
            (
                if raw.accent_dark.is_some() {
                    "accent-dark"
                } else {
                    "accent"
                },
                if raw.accent_dark.is_some() {
                    &raw.accent_dark
                } else {
                    &raw.accent
                },
                d,
                DARK_BG,
                "dark",
            ),
        ];
        for (key, value, colour, bg, scheme) in checks {
            let ratio = colour.contrast(bg);
            if ratio < AA {
                warnings.push(contrast_warning(
                    path,
                    source,
                    key,
                    value.as_deref().unwrap_or_default(),
                    ratio,
                    bg,
                    scheme,
                ));
            }
        }
    }
    Brand {
        logo,
        favicon,
        accent,
    }
}

fn contrast_warning(
    path: &Path,
    source: &str,
    key: &str,
    value: &str,
    ratio: f64,
    bg: Rgb,
    scheme: &str,
) -> Diagnostic {
    // Rounded down, so 4.49 never shows as a passing 4.5.
    let shown = (ratio * 100.0).floor() / 100.0;
    let d = Diagnostic::warning(
        "brand-contrast",
        format!(
            "the accent colour {value} has a contrast of {shown:.2}:1 on the {scheme} background ({}); links need 4.5:1 (WCAG AA)",
            bg.hex()
        ),
    )
    .with_hint(if scheme == "light" {
        "pick a darker accent".to_string()
    } else {
        "set a lighter `accent-dark` for the dark scheme".to_string()
    });
    match find_key_value(source, key, value) {
        Some(offset) => d.at(path, source, offset, value.len()),
        None => d.in_file(path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_long_and_short_hex() {
        assert_eq!(Rgb::parse("#0f766e"), Some(Rgb(0x0f, 0x76, 0x6e)));
        assert_eq!(Rgb::parse("#fa0"), Some(Rgb(0xff, 0xaa, 0x00)));
        assert_eq!(Rgb::parse("0f766e"), None);
        assert_eq!(Rgb::parse("#0f766"), None);
        assert_eq!(Rgb::parse("#ggg"), None);
        assert_eq!(Rgb::parse("#é12"), None);
    }

    #[test]
    fn contrast_matches_wcag() {
        let black = Rgb(0, 0, 0);
        assert!((black.contrast(LIGHT_BG) - 21.0).abs() < 1e-9);
        // The default accent, #2952cc, on white.
        let ratio = Rgb(0x29, 0x52, 0xcc).contrast(LIGHT_BG);
        assert!((ratio - 6.62).abs() < 0.01, "{ratio}");
        assert_eq!(Rgb(0xff, 0xcc, 0x00).text_on(), DARK_TEXT);
        assert_eq!(Rgb(0x0f, 0x76, 0x6e).text_on(), Rgb(0xff, 0xff, 0xff));
    }
}
