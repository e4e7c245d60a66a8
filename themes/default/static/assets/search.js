/* stepbook search: the query engine. DOM-free: it tokenizes, loads index files through a
   loader it is given, ranks articles and finds the sections, steps and options that match.
   The index format is docs/search-index.md. Works as a classic <script> (it defines
   globalThis.stepbookSearchEngine) and under Node (module.exports). */
(function (root) {
  'use strict';

  var WORD = /[\p{L}\p{N}\p{M}]+(?:['\u2019][\p{L}\p{N}\p{M}]+)*/gu;
  // Han, Hiragana, Katakana, Hangul: the same ranges as src/search/tokenize.rs.
  var CJK = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u1100-\u11ff\u3130-\u318f\uac00-\ud7af\u{20000}-\u{2fa1f}]/u;
  var APOS = /['\u2019]/g;
  var B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  var B64I = {};
  for (var i = 0; i < 64; i++) B64I[B64.charCodeAt(i)] = i;

  // Weights of a matched term: the exact word, a completion of the word being typed, a typo.
  var EXACT = 1, PREFIX = 0.8, VARIANT = 0.7, TYPO = 0.5;
  // Endings that make variants of a word ("delete": "deleting", "deleted", "deletion").
  var ENDINGS = ['ations', 'ation', 'ments', 'ment', 'ions', 'ion', 'ing', 'ies', 'ied', 'ers', 'er',
    'es', 'ed', 'e', 's', 'd', 'y', ''];
  // Weights of where a word matched inside a document (see docs()).
  var LABEL = 4, TEXT = 1, NEAR = 0.5, FAR = 0.25;
  var HITS_PER_ARTICLE = 3;

  function fold(s) {
    return s.normalize('NFD').replace(/\p{M}/gu, '').normalize('NFC').toLowerCase();
  }

  function len(s) {
    var n = 0;
    for (var k = 0; k < s.length; k++) {
      var c = s.charCodeAt(k);
      if (c < 0xdc00 || c > 0xdfff) n++;
    }
    return n;
  }

  /* Cut one word (folded, apostrophes dropped) into tokens: CJK runs into bigrams. */
  function pushWord(word, out) {
    var chars = Array.from(word), run = '', cjk = [];
    function flush() {
      if (len(run) > 1) out.push(run);
      run = '';
      if (cjk.length === 1) out.push(cjk[0]);
      for (var j = 0; j + 1 < cjk.length; j++) out.push(cjk[j] + cjk[j + 1]);
      cjk = [];
    }
    for (var k = 0; k < chars.length; k++) {
      if (CJK.test(chars[k])) {
        if (run) flush();
        cjk.push(chars[k]);
      } else {
        if (cjk.length) flush();
        run += chars[k];
      }
    }
    flush();
    return out;
  }

  /** The tokens of a text, as the index builder cuts them. */
  function tokenize(text) {
    var out = [];
    for (var m of fold(String(text || '')).matchAll(WORD)) pushWord(m[0].replace(APOS, ''), out);
    return out;
  }

  /** FNV-1a (32 bit) of the UTF-8 bytes of the term's first two scalar values, mod `shards`. */
  function shardOf(term, shards) {
    var h = 2166136261, n = 0;
    function add(b) { h = Math.imul(h ^ b, 16777619); }
    for (var ch of term) {
      if (n++ === 2) break;
      var c = ch.codePointAt(0);
      if (c < 0x80) add(c);
      else if (c < 0x800) { add(0xc0 | (c >> 6)); add(0x80 | (c & 63)); }
      else if (c < 0x10000) { add(0xe0 | (c >> 12)); add(0x80 | ((c >> 6) & 63)); add(0x80 | (c & 63)); }
      else {
        add(0xf0 | (c >> 18)); add(0x80 | ((c >> 12) & 63));
        add(0x80 | ((c >> 6) & 63)); add(0x80 | (c & 63));
      }
    }
    return (h >>> 0) % shards;
  }

  /** Postings string to a Map of article id to score. */
  function decodePostings(str) {
    var out = new Map(), v = 0, mul = 1, id = 0, first = true, pending = -1;
    for (var k = 0; k < str.length; k++) {
      var d = B64I[str.charCodeAt(k)];
      if (d === undefined) throw new Error('bad postings character ' + str[k]);
      v += (d & 31) * mul;
      if (d & 32) { mul *= 32; continue; }
      if (pending < 0) {
        id = first ? v : id + v;
        first = false;
        pending = id;
      } else {
        out.set(pending, v);
        pending = -1;
      }
      v = 0;
      mul = 1;
    }
    return out;
  }

  /** Is the edit distance (with transposition of neighbours) between a and b at most 1? */
  function near(a, b) {
    if (a === b) return true;
    var la = a.length, lb = b.length;
    if (la - lb > 1 || lb - la > 1) return false;
    var k = 0;
    while (k < la && k < lb && a[k] === b[k]) k++;
    if (la === lb) {
      return a.slice(k + 1) === b.slice(k + 1) ||
        (a[k] === b[k + 1] && a[k + 1] === b[k] && a.slice(k + 2) === b.slice(k + 2));
    }
    return la < lb ? a.slice(k) === b.slice(k + 1) : a.slice(k + 1) === b.slice(k);
  }

  /** The word without its ending, when at least four letters stay ("settings": "setting"). */
  function stem(w) {
    for (var k = 0; k < ENDINGS.length; k++) {
      var e = ENDINGS[k];
      if (e && w.length - e.length >= 4 && w.endsWith(e)) return w.slice(0, -e.length);
    }
    return w;
  }

  /** Weight of `term` as a match for the query word `q` (0: no match). */
  function matchWeight(q, term, typo) {
    if (term === q.w) return EXACT;
    if (q.prefix && term.startsWith(q.w)) return PREFIX;
    if (q.stem && term.startsWith(q.stem) && ENDINGS.indexOf(term.slice(q.stem.length)) >= 0) return VARIANT;
    if (!typo) return 0;
    var n = q.w.length;
    if (!q.prefix) return near(q.w, term) ? TYPO : 0;
    for (var l = n - 1; l <= n + 1; l++) {
      if (l <= term.length && near(q.w, term.slice(0, l))) return l === term.length ? TYPO : TYPO * PREFIX;
    }
    return 0;
  }

  /**
   * The words of a query: every token must match; the last one is a prefix unless the query
   * ends with a separator; words of five letters or more tolerate one typo.
   */
  function parseQuery(query) {
    var s = String(query || '');
    var words = tokenize(s);
    var open = /[\p{L}\p{N}\p{M}]$/u.test(fold(s));
    var out = [], seen = {};
    for (var k = 0; k < words.length; k++) {
      var prefix = open && k === words.length - 1;
      var key = words[k] + (prefix ? '*' : '');
      if (seen[key]) continue;
      seen[key] = true;
      var st = /^[a-z]{4,}$/.test(words[k]) ? stem(words[k]) : '';
      out.push({
        w: words[k], prefix: prefix, typo: len(words[k]) >= 5, stem: st,
        minor: !prefix && len(words[k]) < 3 && !CJK.test(words[k]),
      });
    }
    // A prefix that repeats a whole word adds nothing ("step step" while typing).
    return out.filter(function (q) {
      return !q.prefix || !out.some(function (o) { return o !== q && !o.prefix && o.w === q.w; });
    });
  }

  /** Shards to try for a word of five letters or more that matched nothing in its own shard. */
  function fallbackKeys(w) {
    var c = Array.from(w);
    return [c[1] + c[0] + c.slice(2).join(''), c.slice(1).join('')];
  }

  /* ---------- Snippets and highlighting ---------- */

  /** [start, end) ranges of the words of `text` whose tokens `isMatch` accepts. */
  function ranges(text, isMatch) {
    var out = [];
    for (var m of String(text || '').matchAll(WORD)) {
      var word = m[0], at = m.index;
      if (!CJK.test(word)) {
        if (tokenize(word).some(isMatch)) out.push([at, at + word.length]);
        continue;
      }
      // Mixed or CJK word: look at each run, and at each pair of CJK characters.
      var chars = Array.from(word), pos = at, runStart = -1, runText = '';
      for (var k = 0; k <= chars.length; k++) {
        var ch = chars[k], isCjk = ch !== undefined && CJK.test(ch);
        if (!isCjk && ch !== undefined) {
          if (runStart < 0) { runStart = pos; runText = ''; }
          runText += ch;
        } else if (runStart >= 0) {
          if (tokenize(runText).some(isMatch)) out.push([runStart, pos]);
          runStart = -1;
        }
        if (isCjk) {
          var next = chars[k + 1], pair = next && CJK.test(next) ? ch + next : ch;
          var single = !(next && CJK.test(next)) && !(k > 0 && CJK.test(chars[k - 1]));
          if ((pair !== ch || single) && tokenize(pair).some(isMatch)) out.push([pos, pos + pair.length]);
        }
        if (ch !== undefined) pos += ch.length;
      }
    }
    return merge(out);
  }

  function merge(list) {
    list.sort(function (a, b) { return a[0] - b[0]; });
    var out = [];
    for (var k = 0; k < list.length; k++) {
      var last = out[out.length - 1];
      if (last && list[k][0] <= last[1]) last[1] = Math.max(last[1], list[k][1]);
      else out.push(list[k].slice());
    }
    return out;
  }

  /** About `max` characters of `text` around its first match, cut at word boundaries. */
  function snippet(text, isMatch, max) {
    text = String(text || '').replace(/\s+/g, ' ').trim();
    max = max || 160;
    var rs = ranges(text, isMatch);
    var start = 0;
    if (text.length > max && rs.length) {
      start = Math.max(0, Math.min(rs[0][0] - 40, text.length - max));
      if (start > 0) {
        var sp = text.indexOf(' ', start);
        start = sp >= 0 && sp < rs[0][0] ? sp + 1 : Math.min(start, rs[0][0]);
      }
    }
    var end = Math.min(text.length, start + max);
    if (end < text.length) {
      var back = text.lastIndexOf(' ', end);
      if (back > start + max / 2) end = back;
    }
    var pre = start > 0 ? '\u2026 ' : '', post = end < text.length || /\u2026$/.test(text) ? '\u2026' : '';
    var body = text.slice(start, end).replace(/\u2026$/, '');
    var shift = pre.length - start;
    var out = [];
    for (var k = 0; k < rs.length; k++) {
      var a = Math.max(rs[k][0], start), b = Math.min(rs[k][1], start + body.length);
      if (a < b) out.push([a + shift, b + shift]);
    }
    return { text: pre + body + post, ranges: out };
  }

  /* ---------- Documents inside an article ---------- */

  // Where each kind of document finds its words, and how much a match there counts:
  // LABEL its own title (heading, option label), TEXT its own text, NEAR the heading or the
  // question above it, FAR the article title, the collection and "Step n".
  function docs(art) {
    if (art._docs) return art._docs;
    var c = art.c ? tokenize(art.c) : [], t = tokenize(art.t);
    var article = {
      kind: 'article', id: null, order: -1, option: -1, heading: '', text: art.d,
      fields: [[t, LABEL], [tokenize(art.d), TEXT], [c, FAR]],
    };
    var list = [article];
    var secs = (art.s || []).map(function (s, k) {
      var h = tokenize(s[2]);
      var doc = {
        kind: 'section', id: s[0], order: k, heading: s[2], text: s[3], option: s[4],
        section: k, headingTokens: h,
        fields: [[h, LABEL], [tokenize(s[3]), TEXT], [t, FAR], [c, FAR]],
      };
      list.push(doc);
      return doc;
    });
    function under(k) { return k >= 0 && secs[k] ? secs[k].headingTokens : []; }
    var opts = art.o || [];
    opts.forEach(function (o, k) {
      list.push({
        kind: 'option', id: o[0], order: 1e6 + k, label: o[1], section: o[2], question: o[3],
        text: o[3], option: k,
        fields: [[tokenize(o[1]), LABEL], [tokenize(o[3]), NEAR], [under(o[2]), NEAR], [t, FAR], [c, FAR]],
      });
    });
    (art.p || []).forEach(function (p, k) {
      list.push({
        kind: 'step', id: p[0], number: p[1], section: p[2], text: p[3], option: p[4],
        order: 2e6 + k,
        fields: [[tokenize(p[3]), TEXT], [under(p[2]), NEAR], [['step', String(p[1])], FAR], [t, FAR], [c, FAR]],
      });
    });
    for (var k = 0; k < list.length; k++) {
      list[k].fields.forEach(function (f) {
        var counts = new Map();
        f[0].forEach(function (tok) { counts.set(tok, (counts.get(tok) || 0) + 1); });
        f[0] = counts;
      });
    }
    art._docs = list;
    return list;
  }

  /** Best weight of a word over the tokens of a field (token -> count); repeats add a little. */
  function fieldWeight(tokens, terms) {
    var best = 0;
    function see(w, n) {
      w *= n > 1 ? 1.2 : 1;
      if (w > best) best = w;
    }
    if (tokens.size < terms.size) {
      tokens.forEach(function (n, tok) { var w = terms.get(tok); if (w) see(w, n); });
    } else {
      terms.forEach(function (w, term) { var n = tokens.get(term); if (n) see(w, n); });
    }
    return best;
  }

  /**
   * Score a document: null unless it holds every word (the article holds them all; inside it,
   * two-letter words such as "on" or "to" may be missing) and one of them in its own fields.
   */
  function scoreDoc(doc, words) {
    var total = 0, own = false;
    var strict = words.every(function (q) { return q.minor; });
    for (var k = 0; k < words.length; k++) {
      var best = 0;
      for (var f = 0; f < doc.fields.length; f++) {
        var weight = fieldWeight(doc.fields[f][0], words[k].terms) * doc.fields[f][1];
        if (weight > best) best = weight;
        if (weight > 0 && doc.fields[f][1] >= TEXT) own = true;
      }
      if (!best && (strict || !words[k].minor)) return null;
      total += best;
    }
    return own ? total : null;
  }

  function crumbs(art, doc) {
    var out = art.c ? art.c.split(' \u203a ') : [];
    out.push(art.t);
    if (doc.kind === 'article') return out;
    var sec = doc.section >= 0 && art.s[doc.section];
    var opt = doc.kind !== 'option' && doc.option >= 0 && art.o[doc.option];
    // The option a section or step is in shows before its heading when the heading is inside
    // the option, after it when the option is under the heading.
    var optFirst = opt && sec && sec[4] === doc.option;
    if (optFirst) out.push(opt[1]);
    if (sec) out.push(sec[2]);
    if (opt && !optFirst) out.push(opt[1]);
    if (doc.kind === 'option') out.push(doc.label);
    if (doc.kind === 'step') out.push('Step ' + doc.number);
    return out;
  }

  /** The hits to show for one article: its best documents, deepest first on ties. */
  function articleHits(art, words) {
    var scored = [];
    docs(art).forEach(function (doc) {
      var s = scoreDoc(doc, words);
      if (s !== null) scored.push({ doc: doc, score: s });
    });
    var hasChild = {};
    scored.forEach(function (h) {
      if (h.doc.kind !== 'section' && h.doc.kind !== 'article') hasChild[h.doc.section] = true;
    });
    scored = scored.filter(function (h) {
      var d = h.doc;
      if (d.kind === 'section' && hasChild[d.section]) {
        // A section whose heading does not match is only the sum of its steps: show those.
        return words.some(function (q) { return fieldWeight(d.fields[0][0], q.terms) > 0; });
      }
      if (d.kind === 'step') {
        // A step whose nested step matches: show the nested one.
        return !scored.some(function (o) {
          return o.doc.kind === 'step' && o.doc.id.indexOf(d.id + '-') === 0;
        });
      }
      return true;
    });
    scored.sort(function (a, b) { return b.score - a.score || a.doc.order - b.doc.order; });
    scored = scored.slice(0, HITS_PER_ARTICLE);
    // The article itself heads its group: first when it is a hit, the only hit when nothing
    // inside it holds every word (the words are spread over its sections).
    var head = scored.findIndex(function (h) { return h.doc.kind === 'article'; });
    if (head > 0) scored.unshift(scored.splice(head, 1)[0]);
    if (!scored.length) scored.push({ doc: docs(art)[0], score: 0 });
    return scored;
  }

  /* ---------- The search ---------- */

  /**
   * A search over one site's index. `load(path)` must run the index file at `path` (relative
   * to the site root, e.g. "search/t3.js") and resolve once it has run; the file calls the
   * methods of `receiver`, which the caller exposes as the global `stepbookSearch`.
   */
  function createSearch(load) {
    var manifest = null, terms = {}, buckets = {}, pending = {}, postings = new Map();

    var receiver = {
      manifest: function (m) { manifest = m; },
      terms: function (k, obj) { terms[k] = obj; },
      docs: function (b, list) { buckets[b] = list; },
    };

    function ensure(path, ready) {
      if (ready()) return Promise.resolve();
      if (!pending[path]) {
        pending[path] = Promise.resolve()
          .then(function () { return load(path); })
          .then(function () {
            if (!ready()) throw new Error('stepbook search: ' + path + ' did not load');
          })
          .catch(function (e) { delete pending[path]; throw e; });
      }
      return pending[path];
    }

    function loadManifest() {
      return ensure('search/manifest.js', function () { return !!manifest; });
    }
    function loadShard(k) {
      return ensure('search/t' + k + '.js', function () { return !!terms[k]; });
    }
    function loadBucket(b) {
      return ensure('search/d' + b + '.js', function () { return !!buckets[b]; });
    }

    function post(term, k) {
      var key = k + ':' + term, p = postings.get(key);
      if (!p) postings.set(key, (p = decodePostings(terms[k][term])));
      return p;
    }

    function collect(q, k, into, typo) {
      var shard = terms[k];
      for (var term in shard) {
        var w = matchWeight(q, term, typo);
        if (w > (into.get(term) || 0)) {
          into.set(term, w);
          q.shardOf.set(term, k);
        }
      }
    }

    function matchWords(words) {
      var S = manifest.shards;
      words.forEach(function (q) {
        q.terms = new Map();
        q.shardOf = new Map();
        q.shards = [shardOf(q.w, S)];
      });
      return Promise.all(words.map(function (q) { return loadShard(q.shards[0]); }))
        .then(function () {
          var retry = [];
          words.forEach(function (q) {
            collect(q, q.shards[0], q.terms, false);
            // A typo is tried only when the word itself is nowhere in the index.
            if (!q.terms.size && q.typo) collect(q, q.shards[0], q.terms, true);
            if (!q.terms.size && q.typo) {
              fallbackKeys(q.w).forEach(function (key) {
                var k = shardOf(key, S);
                if (q.shards.indexOf(k) < 0) { q.shards.push(k); retry.push([q, k]); }
              });
            }
          });
          return Promise.all(retry.map(function (r) { return loadShard(r[1]); })).then(function () {
            retry.forEach(function (r) { collect(r[0], r[1], r[0].terms, true); });
          });
        });
    }

    /** Article ids with every word, best first: [[id, score], ...]. */
    function rank(words) {
      var total = null;
      for (var k = 0; k < words.length; k++) {
        var q = words[k], best = new Map();
        q.terms.forEach(function (w, term) {
          post(term, q.shardOf.get(term)).forEach(function (score, id) {
            var s = score * w;
            if (s > (best.get(id) || 0)) best.set(id, s);
          });
        });
        if (total === null) total = best;
        else {
          var next = new Map();
          total.forEach(function (s, id) { var b = best.get(id); if (b) next.set(id, s + b); });
          total = next;
        }
        if (!total.size) break;
      }
      return Array.from(total || []).sort(function (a, b) { return b[1] - a[1] || a[0] - b[0]; });
    }

    /**
     * Search. Resolves to {query, words, total, groups}: `groups` are the best articles, each
     * {article, url, score, highlight, hits}; each hit {kind, id, url, crumbs, path (the
     * crumbs inside the article), title, text, score}. `url`s are relative to the site root; `highlight` lists the index terms found
     * in that article, for the landing page.
     */
    function search(query, opts) {
      var limit = (opts && opts.limit) || 10;
      var words = parseQuery(query);
      var result = { query: String(query || ''), words: words, total: 0, groups: [] };
      if (!words.length) return Promise.resolve(result);
      return loadManifest()
        .then(function () { return matchWords(words); })
        .then(function () {
          if (words.some(function (q) { return !q.terms.size; })) return result;
          var ranked = rank(words);
          result.total = ranked.length;
          var top = ranked.slice(0, limit), P = manifest.per;
          var need = {};
          top.forEach(function (r) { need[Math.floor(r[0] / P)] = true; });
          return Promise.all(Object.keys(need).map(function (b) { return loadBucket(+b); }))
            .then(function () {
              result.groups = top.map(function (r) {
                var art = buckets[Math.floor(r[0] / P)][r[0] % P];
                return group(art, r[0], r[1], words);
              });
              return result;
            });
        });
    }

    function group(art, id, score, words) {
      var seen = new Set();
      var isMatch = function (tok) { return words.some(function (q) { return q.terms.has(tok); }); };
      var hits = articleHits(art, words).map(function (h) {
        var d = h.doc, c = crumbs(art, d);
        d.fields.forEach(function (f) {
          if (f[1] >= NEAR) f[0].forEach(function (n, tok) { if (isMatch(tok)) seen.add(tok); });
        });
        return {
          kind: d.kind, id: d.id, url: art.u + (d.id ? '#' + d.id : ''), crumbs: c,
          path: c.slice((art.c ? art.c.split(' \u203a ').length : 0) + 1),
          title: c[c.length - 1], text: d.text || '', score: h.score,
        };
      });
      return {
        id: id, article: art, url: art.u, score: score, hits: hits,
        highlight: Array.from(seen).slice(0, 12),
      };
    }

    return {
      receiver: receiver,
      search: search,
      preload: loadManifest,
      /** A predicate over tokens: is it a term that matched one of the words? */
      matcher: function (result) {
        return function (tok) { return result.words.some(function (q) { return q.terms && q.terms.has(tok); }); };
      },
    };
  }

  var api = {
    fold: fold,
    tokenize: tokenize,
    shardOf: shardOf,
    decodePostings: decodePostings,
    parseQuery: parseQuery,
    near: near,
    ranges: ranges,
    snippet: snippet,
    createSearch: createSearch,
  };
  if (typeof module === 'object' && module.exports) module.exports = api;
  root.stepbookSearchEngine = api;
})(typeof globalThis !== 'undefined' ? globalThis : this);
