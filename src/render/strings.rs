//! The theme's own texts ("On this page", "Copy link", the 404 page...) in the languages
//! stepbook ships, and a site's own replacements (`strings` under `[languages.<tag>]`).
//!
//! A language is found by its tag's primary subtag (`pt-BR` reads `pt`); one stepbook does
//! not ship reads English. Templates read them as `site.t.<name>`, scripts from the page's
//! `stepbook-strings` JSON block, which is only written for a language other than English or
//! a site that replaces a text, so an English site's pages are what they always were.

use std::collections::BTreeMap;

/// The languages of [`STRINGS`], in column order.
pub const LANGS: [&str; 7] = ["en", "de", "fr", "es", "pt", "ja", "zh"];

/// Every text for the language `tag`, with the site's own `overrides` on top.
pub fn for_language(tag: &str, overrides: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    let primary = tag.split('-').next().unwrap_or("").to_ascii_lowercase();
    let col = LANGS.iter().position(|l| *l == primary).unwrap_or(0);
    let mut out: BTreeMap<String, String> = STRINGS
        .iter()
        .map(|(k, v)| (k.to_string(), v[col].to_string()))
        .collect();
    for (k, v) in overrides {
        out.insert(k.clone(), v.clone());
    }
    out
}

/// One text for the language `tag`, the site's own when it sets one.
pub fn text(tag: &str, overrides: &BTreeMap<String, String>, name: &str) -> String {
    if let Some(own) = overrides.get(name) {
        return own.clone();
    }
    let primary = tag.split('-').next().unwrap_or("").to_ascii_lowercase();
    let col = LANGS.iter().position(|l| *l == primary).unwrap_or(0);
    STRINGS
        .iter()
        .find(|(k, _)| *k == name)
        .map_or_else(|| name.to_string(), |(_, v)| v[col].to_string())
}

/// An article body in the language of `texts`: the words the Markdown renderer writes in
/// English (callout titles, the links to sections and steps, "Show all" of a branch point).
/// `None` when the texts are the English ones, or the body has none of those words.
pub fn localize(html: &str, texts: &BTreeMap<String, String>) -> Option<String> {
    let text = |name: &str| texts.get(name).map_or("", String::as_str);
    let mut fixed: Vec<(String, String)> = Vec::new();
    for (name, english) in [
        ("note", "Note"),
        ("tip", "Tip"),
        ("important", "Important"),
        ("warning", "Warning"),
        ("caution", "Caution"),
    ] {
        fixed.push((
            format!("<p class=\"callout__title\">{english}</p>"),
            format!("<p class=\"callout__title\">{}</p>", escape(text(name))),
        ));
    }
    fixed.push((
        " aria-label=\"Link to this section\">".into(),
        format!(" aria-label=\"{}\">", escape(text("section_link"))),
    ));
    fixed.push((
        ">Show all</button>".into(),
        format!(">{}</button>", escape(text("show_all"))),
    ));
    fixed.retain(|(a, b)| a != b);
    const STEP: &str = "\" aria-label=\"Link to step ";
    let step_link = text("step_link");
    let steps = step_link != "Link to step {n}" && html.contains(STEP);
    if !steps && !fixed.iter().any(|(a, _)| html.contains(a.as_str())) {
        return None;
    }
    let mut out = html.to_string();
    for (a, b) in &fixed {
        if out.contains(a.as_str()) {
            out = out.replace(a.as_str(), b);
        }
    }
    if steps {
        out = localize_steps(&out, &escape(step_link));
    }
    Some(out)
}

/// Every step link's `aria-label` and `title` (`Link to step 3`) made from `template`.
fn localize_steps(html: &str, template: &str) -> String {
    let mut text = html.to_string();
    for attr in [" aria-label=\"", " title=\""] {
        let pattern = format!("{attr}Link to step ");
        let mut out = String::with_capacity(text.len());
        let mut rest = text.as_str();
        while let Some(i) = rest.find(&pattern) {
            let start = i + pattern.len();
            let end = rest[start..].find('"').map_or(rest.len(), |e| start + e);
            out.push_str(&rest[..i]);
            out.push_str(attr);
            out.push_str(&template.replace("{n}", &rest[start..end]));
            rest = &rest[end..];
        }
        out.push_str(rest);
        text = out;
    }
    text
}

/// `&`, `<`, `>` and `"` escaped, for a text set in `book.toml` going into HTML.
fn escape(text: &str) -> String {
    crate::markdown::escape(text)
}

/// Whether pages must carry the texts for scripts: they differ from the English ones.
pub fn scripts_need(tag: &str, overrides: &BTreeMap<String, String>) -> bool {
    !overrides.is_empty()
        || !tag
            .split('-')
            .next()
            .unwrap_or("")
            .eq_ignore_ascii_case("en")
}

/// A language's name in itself, for the language switcher; the tag for one not listed.
pub fn native_name(tag: &str) -> String {
    let primary = tag.split('-').next().unwrap_or("").to_ascii_lowercase();
    let name = match primary.as_str() {
        "en" => "English",
        "de" => "Deutsch",
        "fr" => "Français",
        "es" => "Español",
        "pt" => "Português",
        "ja" => "日本語",
        "zh" => "中文",
        "it" => "Italiano",
        "nl" => "Nederlands",
        "pl" => "Polski",
        "ru" => "Русский",
        "ko" => "한국어",
        "sv" => "Svenska",
        "tr" => "Türkçe",
        _ => return tag.to_string(),
    };
    match tag.split_once('-') {
        Some((_, region)) => format!("{name} ({region})"),
        None => name.to_string(),
    }
}

/// The names of every text, for "did you mean" when a site replaces one that does not exist.
pub fn names() -> Vec<&'static str> {
    STRINGS.iter().map(|(k, _)| *k).collect()
}

/// The built-in texts, by name, in English, German, French, Spanish, Portuguese, Japanese and
/// Chinese, in the order of [`LANGS`].
pub const STRINGS: &[(&str, [&str; 7])] = &[
    (
        "home",
        [
            "Home",
            "Startseite",
            "Accueil",
            "Inicio",
            "Início",
            "ホーム",
            "首页",
        ],
    ),
    (
        "skip",
        [
            "Skip to content",
            "Zum Inhalt springen",
            "Aller au contenu",
            "Ir al contenido",
            "Ir para o conteúdo",
            "コンテンツへスキップ",
            "跳到内容",
        ],
    ),
    (
        "search",
        [
            "Search",
            "Suchen",
            "Rechercher",
            "Buscar",
            "Pesquisar",
            "検索",
            "搜索",
        ],
    ),
    (
        "search_hero",
        [
            "Search the help center",
            "Hilfe-Center durchsuchen",
            "Rechercher dans le centre d’aide",
            "Buscar en el centro de ayuda",
            "Pesquisar na central de ajuda",
            "ヘルプセンターを検索",
            "搜索帮助中心",
        ],
    ),
    (
        "search_results",
        [
            "Search results",
            "Suchergebnisse",
            "Résultats de recherche",
            "Resultados de búsqueda",
            "Resultados da pesquisa",
            "検索結果",
            "搜索结果",
        ],
    ),
    (
        "no_results",
        [
            "No results",
            "Keine Ergebnisse",
            "Aucun résultat",
            "Sin resultados",
            "Nenhum resultado",
            "結果なし",
            "没有结果",
        ],
    ),
    (
        "collections",
        [
            "Collections",
            "Sammlungen",
            "Collections",
            "Colecciones",
            "Coleções",
            "コレクション",
            "合集",
        ],
    ),
    (
        "articles",
        [
            "Articles",
            "Artikel",
            "Articles",
            "Artículos",
            "Artigos",
            "記事",
            "文章",
        ],
    ),
    (
        "article_one",
        [
            "article",
            "Artikel",
            "article",
            "artículo",
            "artigo",
            "件の記事",
            "篇文章",
        ],
    ),
    (
        "article_other",
        [
            "articles",
            "Artikel",
            "articles",
            "artículos",
            "artigos",
            "件の記事",
            "篇文章",
        ],
    ),
    (
        "step_one",
        [
            "step",
            "Schritt",
            "étape",
            "paso",
            "passo",
            "ステップ",
            "个步骤",
        ],
    ),
    (
        "step_other",
        [
            "steps",
            "Schritte",
            "étapes",
            "pasos",
            "passos",
            "ステップ",
            "个步骤",
        ],
    ),
    (
        "tags",
        [
            "Tags",
            "Schlagwörter",
            "Étiquettes",
            "Etiquetas",
            "Etiquetas",
            "タグ",
            "标签",
        ],
    ),
    (
        "tagged",
        [
            "Tagged",
            "Verschlagwortet mit",
            "Étiqueté",
            "Etiquetado",
            "Etiquetado",
            "タグ",
            "标签",
        ],
    ),
    (
        "on_this_page",
        [
            "On this page",
            "Auf dieser Seite",
            "Sur cette page",
            "En esta página",
            "Nesta página",
            "このページの内容",
            "本页内容",
        ],
    ),
    (
        "linked_from",
        [
            "Linked from",
            "Verlinkt von",
            "Cité par",
            "Enlazado desde",
            "Citado em",
            "リンク元",
            "链接来源",
        ],
    ),
    (
        "related",
        [
            "Related articles",
            "Verwandte Artikel",
            "Articles associés",
            "Artículos relacionados",
            "Artigos relacionados",
            "関連記事",
            "相关文章",
        ],
    ),
    (
        "previous",
        [
            "Previous",
            "Zurück",
            "Précédent",
            "Anterior",
            "Anterior",
            "前へ",
            "上一篇",
        ],
    ),
    (
        "next",
        [
            "Next",
            "Weiter",
            "Suivant",
            "Siguiente",
            "Próximo",
            "次へ",
            "下一篇",
        ],
    ),
    (
        "pager",
        [
            "Previous and next articles",
            "Vorheriger und nächster Artikel",
            "Articles précédent et suivant",
            "Artículos anterior y siguiente",
            "Artigos anterior e seguinte",
            "前後の記事",
            "上一篇和下一篇文章",
        ],
    ),
    (
        "updated",
        [
            "Updated",
            "Aktualisiert",
            "Mis à jour",
            "Actualizado",
            "Atualizado",
            "更新日",
            "更新于",
        ],
    ),
    (
        "edit",
        [
            "Edit this page",
            "Diese Seite bearbeiten",
            "Modifier cette page",
            "Editar esta página",
            "Editar esta página",
            "このページを編集",
            "编辑此页",
        ],
    ),
    (
        "print",
        [
            "Print", "Drucken", "Imprimer", "Imprimir", "Imprimir", "印刷", "打印",
        ],
    ),
    (
        "in_collection",
        [
            "In this collection",
            "In dieser Sammlung",
            "Dans cette collection",
            "En esta colección",
            "Nesta coleção",
            "このコレクション",
            "本合集",
        ],
    ),
    (
        "all_of",
        [
            "All of",
            "Alles aus",
            "Tout",
            "Todo",
            "Tudo de",
            "すべて:",
            "全部:",
        ],
    ),
    (
        "breadcrumb",
        [
            "Breadcrumb",
            "Brotkrümelnavigation",
            "Fil d’Ariane",
            "Ruta de navegación",
            "Trilha de navegação",
            "パンくずリスト",
            "面包屑导航",
        ],
    ),
    (
        "language",
        [
            "Language", "Sprache", "Langue", "Idioma", "Idioma", "言語", "语言",
        ],
    ),
    (
        "dark_theme",
        [
            "Dark theme",
            "Dunkles Design",
            "Thème sombre",
            "Tema oscuro",
            "Tema escuro",
            "ダークテーマ",
            "深色主题",
        ],
    ),
    (
        "as_markdown",
        [
            "This article as Markdown",
            "Dieser Artikel als Markdown",
            "Cet article en Markdown",
            "Este artículo en Markdown",
            "Este artigo em Markdown",
            "この記事のMarkdown",
            "本文的 Markdown 版本",
        ],
    ),
    (
        "not_found",
        [
            "Page not found",
            "Seite nicht gefunden",
            "Page introuvable",
            "Página no encontrada",
            "Página não encontrada",
            "ページが見つかりません",
            "找不到页面",
        ],
    ),
    (
        "not_found_text",
        [
            "The page you asked for is not here. It may have moved, or the link may have a typo.",
            "Die gesuchte Seite ist nicht hier. Sie wurde vielleicht verschoben, oder der Link enthält einen Tippfehler.",
            "La page demandée n’est pas ici. Elle a peut-être été déplacée, ou le lien contient une faute de frappe.",
            "La página que buscas no está aquí. Puede que se haya movido o que el enlace tenga un error.",
            "A página que você procurou não está aqui. Ela pode ter sido movida, ou o link pode ter um erro de digitação.",
            "お探しのページはここにはありません。移動したか、リンクに誤りがある可能性があります。",
            "您要找的页面不在这里。它可能已被移动，或者链接有误。",
        ],
    ),
    (
        "go_home",
        [
            "Go to the home page",
            "Zur Startseite",
            "Aller à l’accueil",
            "Ir a la página de inicio",
            "Ir para a página inicial",
            "ホームページへ",
            "前往首页",
        ],
    ),
    (
        "copy_link",
        [
            "Copy link",
            "Link kopieren",
            "Copier le lien",
            "Copiar enlace",
            "Copiar link",
            "リンクをコピー",
            "复制链接",
        ],
    ),
    (
        "link_copied",
        [
            "Link copied",
            "Link kopiert",
            "Lien copié",
            "Enlace copiado",
            "Link copiado",
            "リンクをコピーしました",
            "链接已复制",
        ],
    ),
    (
        "copy_failed",
        [
            "Copy failed",
            "Kopieren fehlgeschlagen",
            "Échec de la copie",
            "Error al copiar",
            "Falha ao copiar",
            "コピーに失敗しました",
            "复制失败",
        ],
    ),
    (
        "reset",
        [
            "Reset",
            "Zurücksetzen",
            "Réinitialiser",
            "Restablecer",
            "Redefinir",
            "リセット",
            "重置",
        ],
    ),
    (
        "mark_step",
        [
            "Mark step {n} as done",
            "Schritt {n} als erledigt markieren",
            "Marquer l’étape {n} comme faite",
            "Marcar el paso {n} como hecho",
            "Marcar o passo {n} como concluído",
            "ステップ {n} を完了にする",
            "将第 {n} 步标记为完成",
        ],
    ),
    (
        "choose_one",
        [
            "Choose the one that applies.",
            "Wählen Sie, was zutrifft.",
            "Choisissez ce qui s’applique.",
            "Elige la opción que corresponda.",
            "Escolha a opção que se aplica.",
            "該当するものを選んでください。",
            "请选择适用的一项。",
        ],
    ),
    (
        "check_spelling",
        [
            "Check the spelling.",
            "Prüfen Sie die Schreibweise.",
            "Vérifiez l’orthographe.",
            "Revisa la ortografía.",
            "Verifique a ortografia.",
            "つづりを確認してください。",
            "请检查拼写。",
        ],
    ),
    (
        "fewer_words",
        [
            "Try fewer or different words.",
            "Versuchen Sie weniger oder andere Wörter.",
            "Essayez moins de mots ou d’autres mots.",
            "Prueba con menos palabras o con otras.",
            "Tente menos palavras ou palavras diferentes.",
            "語を減らすか、別の語をお試しください。",
            "请尝试更少或不同的词。",
        ],
    ),
    (
        "browse_all",
        [
            "Browse all articles",
            "Alle Artikel durchsehen",
            "Parcourir tous les articles",
            "Ver todos los artículos",
            "Ver todos os artigos",
            "すべての記事を見る",
            "浏览所有文章",
        ],
    ),
    (
        "progress",
        [
            "{done} of {total} steps done",
            "{done} von {total} Schritten erledigt",
            "{done} étapes sur {total} faites",
            "{done} de {total} pasos hechos",
            "{done} de {total} passos concluídos",
            "{total} ステップ中 {done} 完了",
            "已完成 {done}/{total} 个步骤",
        ],
    ),
    (
        "reset_ticks",
        [
            "Reset ticks",
            "Häkchen zurücksetzen",
            "Effacer les coches",
            "Borrar las marcas",
            "Limpar as marcações",
            "チェックをリセット",
            "清除勾选",
        ],
    ),
    (
        "ticks_cleared",
        [
            "Ticks cleared",
            "Häkchen entfernt",
            "Coches effacées",
            "Marcas borradas",
            "Marcações limpas",
            "チェックをクリアしました",
            "已清除勾选",
        ],
    ),
    (
        "no_results_for",
        [
            "No results for",
            "Keine Ergebnisse für",
            "Aucun résultat pour",
            "Sin resultados para",
            "Nenhum resultado para",
            "次の結果はありません:",
            "没有以下内容的结果：",
        ],
    ),
    (
        "search_unavailable",
        [
            "Search is not available: the search index could not be loaded.",
            "Die Suche ist nicht verfügbar: Der Suchindex konnte nicht geladen werden.",
            "La recherche n’est pas disponible : l’index n’a pas pu être chargé.",
            "La búsqueda no está disponible: no se pudo cargar el índice.",
            "A pesquisa não está disponível: o índice não pôde ser carregado.",
            "検索を利用できません: 検索インデックスを読み込めませんでした。",
            "搜索不可用：无法加载搜索索引。",
        ],
    ),
    (
        "to_step",
        [
            " to step {n}",
            " zu Schritt {n}",
            " vers l’étape {n}",
            " al paso {n}",
            " para o passo {n}",
            " (ステップ {n})",
            " (第 {n} 步)",
        ],
    ),
    (
        "step_link_copied",
        [
            "Link to step {n} copied",
            "Link zu Schritt {n} kopiert",
            "Lien vers l’étape {n} copié",
            "Enlace al paso {n} copiado",
            "Link para o passo {n} copiado",
            "ステップ {n} へのリンクをコピーしました",
            "已复制第 {n} 步的链接",
        ],
    ),
    (
        "step_link_failed",
        [
            "Could not copy the link to step {n}",
            "Der Link zu Schritt {n} konnte nicht kopiert werden",
            "Impossible de copier le lien vers l’étape {n}",
            "No se pudo copiar el enlace al paso {n}",
            "Não foi possível copiar o link para o passo {n}",
            "ステップ {n} へのリンクをコピーできませんでした",
            "无法复制第 {n} 步的链接",
        ],
    ),
    (
        "note",
        [
            "Note",
            "Hinweis",
            "Remarque",
            "Nota",
            "Observação",
            "注記",
            "注意",
        ],
    ),
    (
        "tip",
        ["Tip", "Tipp", "Astuce", "Consejo", "Dica", "ヒント", "提示"],
    ),
    (
        "important",
        [
            "Important",
            "Wichtig",
            "Important",
            "Importante",
            "Importante",
            "重要",
            "重要",
        ],
    ),
    (
        "warning",
        [
            "Warning",
            "Warnung",
            "Avertissement",
            "Advertencia",
            "Aviso",
            "警告",
            "警告",
        ],
    ),
    (
        "caution",
        [
            "Caution",
            "Vorsicht",
            "Attention",
            "Precaución",
            "Cuidado",
            "注意",
            "小心",
        ],
    ),
    (
        "section_link",
        [
            "Link to this section",
            "Link zu diesem Abschnitt",
            "Lien vers cette section",
            "Enlace a esta sección",
            "Link para esta seção",
            "このセクションへのリンク",
            "链接到本节",
        ],
    ),
    (
        "step_link",
        [
            "Link to step {n}",
            "Link zu Schritt {n}",
            "Lien vers l’étape {n}",
            "Enlace al paso {n}",
            "Link para o passo {n}",
            "ステップ {n} へのリンク",
            "链接到第 {n} 步",
        ],
    ),
    (
        "show_all",
        [
            "Show all",
            "Alle zeigen",
            "Tout afficher",
            "Mostrar todo",
            "Mostrar tudo",
            "すべて表示",
            "全部显示",
        ],
    ),
    (
        "matches_one",
        [
            "1 article matches. Use the arrow keys to move through the results.",
            "1 Artikel gefunden. Mit den Pfeiltasten gehen Sie durch die Ergebnisse.",
            "1 article correspond. Parcourez les résultats avec les flèches.",
            "1 artículo coincide. Recorra los resultados con las flechas.",
            "1 artigo corresponde. Percorra os resultados com as setas.",
            "1 件の記事が一致しました。矢印キーで結果を移動できます。",
            "找到 1 篇文章。使用方向键浏览结果。",
        ],
    ),
    (
        "matches_many",
        [
            "{n} articles match. Use the arrow keys to move through the results.",
            "{n} Artikel gefunden. Mit den Pfeiltasten gehen Sie durch die Ergebnisse.",
            "{n} articles correspondent. Parcourez les résultats avec les flèches.",
            "{n} artículos coinciden. Recorra los resultados con las flechas.",
            "{n} artigos correspondem. Percorra os resultados com as setas.",
            "{n} 件の記事が一致しました。矢印キーで結果を移動できます。",
            "找到 {n} 篇文章。使用方向键浏览结果。",
        ],
    ),
    (
        "matches_more",
        [
            "{n}+ articles match. Use the arrow keys to move through the results.",
            "{n}+ Artikel gefunden. Mit den Pfeiltasten gehen Sie durch die Ergebnisse.",
            "{n}+ articles correspondent. Parcourez les résultats avec les flèches.",
            "{n}+ artículos coinciden. Recorra los resultados con las flechas.",
            "{n}+ artigos correspondem. Percorra os resultados com as setas.",
            "{n}+ 件の記事が一致しました。矢印キーで結果を移動できます。",
            "找到 {n}+ 篇文章。使用方向键浏览结果。",
        ],
    ),
    (
        "from_home",
        [
            " from the home page.",
            " auf der Startseite.",
            " depuis la page d’accueil.",
            " desde la página de inicio.",
            " a partir da página inicial.",
            "(ホームページから)",
            "（从首页）",
        ],
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_primary_subtag_with_overrides() {
        let mut own = BTreeMap::new();
        own.insert("search".to_string(), "Finden".to_string());
        let de = for_language("de-AT", &own);
        assert_eq!(de["on_this_page"], "Auf dieser Seite");
        assert_eq!(de["search"], "Finden");
        assert_eq!(
            for_language("pt-BR", &BTreeMap::new())["copy_link"],
            "Copiar link"
        );
        assert_eq!(
            for_language("ko", &BTreeMap::new())["copy_link"],
            "Copy link"
        );
        assert!(!scripts_need("en-GB", &BTreeMap::new()));
        assert!(scripts_need("ja", &BTreeMap::new()));
    }

    #[test]
    fn bodies_speak_the_language() {
        let de = for_language("de", &BTreeMap::new());
        let html = "<div class=\"callout callout--tip\" role=\"note\"><p class=\"callout__title\">Tip</p>\n<h2 id=\"a\">A<a class=\"heading-anchor\" href=\"#a\" aria-label=\"Link to this section\">#</a></h2><a class=\"step-anchor\" href=\"#a-step-12\" aria-label=\"Link to step 12\" title=\"Link to step 12\">12</a><button type=\"button\" class=\"branch__all\" aria-pressed=\"false\">Show all</button>";
        assert_eq!(
            localize(html, &de).unwrap(),
            "<div class=\"callout callout--tip\" role=\"note\"><p class=\"callout__title\">Tipp</p>\n<h2 id=\"a\">A<a class=\"heading-anchor\" href=\"#a\" aria-label=\"Link zu diesem Abschnitt\">#</a></h2><a class=\"step-anchor\" href=\"#a-step-12\" aria-label=\"Link zu Schritt 12\" title=\"Link zu Schritt 12\">12</a><button type=\"button\" class=\"branch__all\" aria-pressed=\"false\">Alle zeigen</button>"
        );
        assert_eq!(localize(html, &for_language("en", &BTreeMap::new())), None);
    }

    #[test]
    fn every_text_is_translated() {
        for (k, v) in STRINGS {
            assert!(v.iter().all(|s| !s.is_empty()), "{k}");
        }
    }
}
