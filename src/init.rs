//! `stepbook init`: a new site that builds, with an example of every authoring feature.
//!
//! Writes `book.toml` and a small `content/` folder. Refuses to touch a folder that already
//! has a `book.toml` or a `content/` folder.

use std::fs;
use std::path::Path;

use crate::diagnostics::Diagnostic;

const BOOK_TOML: &str = r#"[book]
title = "Help center"
description = "Answers and step-by-step guides."
language = "en"
# base-url = "https://help.example.com/"   # enables sitemap.xml

[build]
content-dir = "content"
output-dir = "public"
link-check = "error"

[search]
enable = true

[serve]
port = 3000
"#;

const GITIGNORE: &str = "/public/\n/.public.stepbook-spare/\n/.stepbook-cache/\n";

const FILES: &[(&str, &str)] = &[
    (
        "content/index.md",
        "---\ntitle: How can we help?\ndescription: Guides and answers for every step.\n---\n\nStart with [your first steps](getting-started/first-steps.md).\n",
    ),
    (
        "content/getting-started/_index.md",
        "---\ntitle: Getting started\ndescription: Set up your account and learn the basics.\norder: 1\n---\n",
    ),
    (
        "content/getting-started/first-steps.md",
        r#"---
title: Set up your account
description: Create your account, confirm your email address and sign in for the first time.
tags: [account, setup]
order: 1
---

# Set up your account

This guide takes you from sign-up to your first sign-in.

## Create your account

1. Open the sign-up page.
2. Enter your work email address and choose a password.
**NOTE:** Passwords need at least 12 characters.
3. Select **Create account**. A confirmation email is sent to you.

> [!TIP]
> Check your spam folder if the email has not arrived after five minutes.

## Confirm your email address

::: choose Where do you read your email?
::: option In a browser {#browser}
1. Open the confirmation email.
2. Select **Confirm email address**. The sign-in page opens in a new tab.
::: option In the mobile app {#mobile-app}
1. Open the confirmation email on your phone.
2. Tap **Confirm email address**, then **Open in browser**.
:::

Next, [change your password](change-your-password.md) whenever you need to, or go back to
[step 2 of creating your account](#create-your-account-step-2).
"#,
    ),
    (
        "content/getting-started/change-your-password.md",
        r#"---
title: Change your password
description: Pick a new password from your profile settings.
tags: [account, security]
order: 2
---

# Change your password

## Change it from your profile

1. Select your avatar in the top right corner.
2. Select **Settings** > **Security**.
3. Select **Change password**, enter the new one twice, and select **Save**.

> [!IMPORTANT]
> You are signed out of every other device when the password changes.

Forgot the old one? Follow [Set up your account](first-steps.md#browser-step-1)
to confirm your email address again.
"#,
    ),
];

/// Creates a new site in `dir` (created when missing).
pub fn init(dir: &Path) -> Result<Vec<String>, Diagnostic> {
    for taken in ["book.toml", "content"] {
        if dir.join(taken).exists() {
            return Err(Diagnostic::error(
                "init-exists",
                format!("{} already has a {taken}", dir.display()),
            )
            .with_hint("run `stepbook init` in a new or empty folder"));
        }
    }
    let io = |p: &Path, e: std::io::Error| {
        Diagnostic::error("io", format!("cannot write {}: {e}", p.display())).in_file(p)
    };
    fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    let mut written = vec!["book.toml".to_string()];
    fs::write(dir.join("book.toml"), BOOK_TOML).map_err(|e| io(&dir.join("book.toml"), e))?;
    for (rel, text) in FILES {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
        }
        fs::write(&path, text).map_err(|e| io(&path, e))?;
        written.push(rel.to_string());
    }
    // The built site and the spare kept beside it are not sources; a .gitignore of the
    // writer's own is left as it is.
    let ignore = dir.join(".gitignore");
    if !ignore.exists() {
        fs::write(&ignore, GITIGNORE).map_err(|e| io(&ignore, e))?;
        written.push(".gitignore".into());
    }
    Ok(written)
}
