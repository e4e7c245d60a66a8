/* stepbook search: the query engine. DOM-free: it tokenizes, loads index files through a
   loader it is given, ranks articles by the words they hold, and finds in each the smallest
   units (sections, steps, branch options) that hold them. The index format is
   docs/search-index.md (format 2). Works as a classic <script> (it defines
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

  // Words a question is made of rather than what it is about: the same list as
  // src/search/tokenize.rs. A query need not match them.
  var STOP = new Set(('about am an and are as at be been but by can cant could did do does doesnt dont ' +
    'for from had has have how if im in into is isnt it its ive me my of or our should so that the ' +
    'their them then there these they this to was we were what when where which who why will with ' +
    'wont would you your youre').split(' '));

  // Weights of a matched term: the exact word, a completion of the word being typed, a typo.
  var EXACT = 1, PREFIX = 0.8, VARIANT = 0.7, TYPO = 0.5;
  // Endings that make variants of a word ("delete": "deleting", "deleted", "deletion").
  var ENDINGS = ['ations', 'ation', 'ments', 'ment', 'ions', 'ion', 'ing', 'ies', 'ied', 'ers', 'er',
    'es', 'ed', 'e', 's', 'd', 'y', ''];
  // The highest score of a posting (docs/search-index.md).
  var TOP = 31;
  var HITS_PER_ARTICLE = 3;
  // How much a word's BM25 score in an article adds to its weight there (at most).
  var BM25 = 4;
  // What an article gains (times the words' idf) when one unit holds every word in its own
  // text, and when one heading (or the title) holds them.
  var OWN = 0.3, LABEL = 0.5;
  // A full search keeps the first article of the quick search before it in first place when
  // it ranks it among its first KEEP_RANK with at least KEEP_SHARE of the best score.
  var KEEP_RANK = 3, KEEP_SHARE = 0.75;
  var KINDS = ['section', 'step', 'option'];

  function fold(s) {
    return s.normalize('NFD').replace(/\p{M}/gu, '').normalize('NFC').toLowerCase();
  }

  /** Length in characters (code points). */
  function len(s) {
    return Array.from(s).length;
  }

  /** A word cut into runs of CJK characters and of others: [[start, text, is CJK], ...]. */
  function runs(word, at) {
    var out = [];
    for (var ch of word) {
      var cjk = CJK.test(ch), last = out[out.length - 1];
      if (last && last[2] === cjk) last[1] += ch;
      else out.push([at, ch, cjk]);
      at += ch.length;
    }
    return out;
  }

  /** The tokens of a run: itself, or for CJK its bigrams (of one character: itself). */
  function runTokens(run) {
    if (!run[2]) return [run[1]];
    var c = Array.from(run[1]);
    return c.length === 1 ? c : c.slice(1).map(function (ch, k) { return c[k] + ch; });
  }

  /* Cut one word (folded, apostrophes dropped) into tokens; one-letter runs are dropped. */
  function pushWord(word, out) {
    runs(word, 0).forEach(function (r) {
      runTokens(r).forEach(function (t) { if (r[2] || len(t) > 1) out.push(t); });
    });
    return out;
  }

  /** The tokens of a text, as the index builder cuts them. */
  function tokenize(text) {
    var out = [];
    for (var m of fold(String(text || '')).matchAll(WORD)) pushWord(m[0].replace(APOS, ''), out);
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
  function stem(w, endings) {
    endings = endings || ENDINGS;
    for (var k = 0; k < endings.length; k++) {
      var e = endings[k];
      if (e && w.length - e.length >= 4 && w.endsWith(e)) return w.slice(0, -e.length);
    }
    return w;
  }

  /** Weight of `term` as a match for the query word `q` (0: no match). */
  function matchWeight(q, term, typo) {
    if (term === q.w) return EXACT;
    if (q.prefix && term.startsWith(q.w)) return PREFIX;
    if (q.stem && term.startsWith(q.stem) && (q.endings || ENDINGS).indexOf(term.slice(q.stem.length)) >= 0) return VARIANT;
    if (!typo) return 0;
    var n = q.w.length;
    if (!q.prefix) return near(q.w, term) ? TYPO : 0;
    for (var l = n - 1; l <= n + 1; l++) {
      if (l <= term.length && near(q.w, term.slice(0, l))) return l === term.length ? TYPO : TYPO * PREFIX;
    }
    return 0;
  }

  /* ---------- Snippets and highlighting ---------- */

  /** [start, end) ranges of the words of `text` whose tokens `isMatch` accepts: a word, or
   *  in a word with CJK characters each run of other characters and each CJK token. */
  function ranges(text, isMatch) {
    var out = [];
    for (var m of String(text || '').matchAll(WORD)) {
      runs(m[0], m.index).forEach(function (r) {
        var at = r[0];
        runTokens(r).forEach(function (tok) {
          if (tokenize(tok).some(isMatch)) out.push([at, at + tok.length]);
          at += String.fromCodePoint(tok.codePointAt(0)).length; // the next bigram's start
        });
      });
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

  /** About `max` characters of `text` around the place where most of its matches are, cut at
   *  word boundaries. */
  function snippet(text, isMatch, max) {
    text = String(text || '').replace(/\s+/g, ' ').trim();
    max = max || 160;
    var rs = ranges(text, isMatch);
    var start = 0;
    if (text.length > max && rs.length) {
      // The window that starts a little before a match and holds the most different words.
      var best = -1, at = rs[0][0];
      for (var k = 0; k < rs.length; k++) {
        var seen = new Set();
        for (var j = k; j < rs.length && rs[j][1] <= rs[k][0] + max - 40; j++) {
          seen.add(text.slice(rs[j][0], rs[j][1]).toLowerCase());
        }
        if (seen.size > best) { best = seen.size; at = rs[k][0]; }
      }
      start = Math.max(0, Math.min(at - 40, text.length - max));
      if (start > 0) {
        var sp = text.indexOf(' ', start);
        start = sp >= 0 && sp < at ? sp + 1 : Math.min(start, at);
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
    for (var r = 0; r < rs.length; r++) {
      var a = Math.max(rs[r][0], start), b = Math.min(rs[r][1], start + body.length);
      if (a < b) out.push([a + shift, b + shift]);
    }
    return { text: pre + body + post, ranges: out };
  }

  /* ---------- Queries ---------- */

  /**
   * The words of a query. The last one is a prefix unless the query ends with a separator;
   * words of five letters or more tolerate one typo; stop words are marked: they count only
   * when the query has nothing else.
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
      out.push({ w: words[k], prefix: prefix, typo: len(words[k]) >= 5, stem: st, stop: STOP.has(words[k]) });
    }
    // A prefix that repeats a whole word adds nothing ("step step" while typing).
    return out.filter(function (q) {
      return !q.prefix || !out.some(function (o) { return o !== q && !o.prefix && o.w === q.w; });
    });
  }

  /** The words that must be looked up: all but the stop words, or all when only those. */
  function contentWords(words) {
    var content = words.filter(function (q) { return !q.stop; });
    return content.length ? content : words;
  }

  /** Keys to try for a word of five letters or more that matched nothing near its place. */
  function fallbackKeys(w) {
    var c = Array.from(w);
    return [c[1] + c[0] + c.slice(2).join(''), c.slice(1).join('')];
  }

  /** Postings of one term (its pieces, in order) into `into`: article id -> {s: score,
   *  u: units, l: the units whose label holds the term}. */
  function decodePostings(str, into) {
    into = into || new Map();
    var nums = [], v = 0, mul = 1;
    for (var k = 0; k < str.length; k++) {
      var d = B64I[str.charCodeAt(k)];
      if (d === undefined) throw new Error('bad postings character ' + str[k]);
      v += (d & 31) * mul;
      if (d & 32) { mul *= 32; continue; }
      nums.push(v);
      v = 0;
      mul = 1;
    }
    var id = 0;
    for (var n = 0; n < nums.length;) {
      id = n === 0 ? nums[0] : id + nums[n];
      var score = nums[n + 1], count = nums[n + 2], units = [], labels = [], u = 0;
      for (var j = 0; j < count; j++) {
        u = j === 0 ? nums[n + 3] : u + nums[n + 3 + j];
        units.push(u >> 1);
        if (u & 1) labels.push(u >> 1);
      }
      into.set(id, { s: score, u: units, l: labels });
      n += 3 + count;
    }
    return into;
  }

  /** The text of base-64, raw-deflated (RFC 1951) UTF-8: a promise. */
  function inflate(b64) {
    var bin = atob(b64), bytes = new Uint8Array(bin.length);
    for (var k = 0; k < bin.length; k++) bytes[k] = bin.charCodeAt(k);
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
    return new Response(stream).text();
  }

  /* ---------- Units inside an article ---------- */

  /** The units of an article record: 0 is the article, then its sections, steps, options. */
  function units(art) {
    if (art._units) return art._units;
    var list = [{ kind: 'article', id: null, parent: -1, label: art.t, text: [art.d, art.x].filter(Boolean).join(' ') }];
    (art.n || []).forEach(function (n) {
      var parent = list[n[2]];
      var id = n[1];
      if (id[0] === '+') id = parent.id + '-' + id.slice(1);
      else if (id[0] === '=') id = id.slice(1);
      list.push({ kind: KINDS[n[0]], id: id, parent: n[2], label: n[0] === 1 ? '' : n[3], number: n[3], text: n[4] });
    });
    // Where each unit's subtree ends, and its size (units come before the units inside them).
    list.forEach(function (u, k) { u.end = k + 1; u.size = 1; });
    for (var k = list.length - 1; k > 0; k--) {
      var u = list[k], p = list[u.parent];
      p.end = Math.max(p.end, u.end);
      p.size += u.size;
    }
    art._units = list;
    return list;
  }

  /** "Step 2", or "Step 2.1" for a step inside step 2. */
  function stepName(list, u) {
    var nums = [];
    for (var x = u; x && x.kind === 'step'; x = list[x.parent]) nums.unshift(x.number);
    return 'Step ' + nums.join('.');
  }

  /** The words a reader sees leading to a unit, from the collection to the unit itself. */
  function crumbs(art, list, k) {
    var out = art.c ? art.c.split(' \u203a ') : [];
    out.push(art.t);
    var chain = [];
    for (var x = k; x > 0; x = list[x].parent) {
      var u = list[x];
      if (u.kind !== 'step') chain.unshift(u.label);
      else if (x === k || list[u.parent].kind !== 'step') chain.unshift(stepName(list, u));
    }
    return out.concat(chain);
  }

  /** The text a hit shows: the unit's own, or else that of the first unit inside it with a match. */
  function hitText(list, k, isMatch) {
    var u = list[k];
    if (ranges(u.text, isMatch).length || u.end === k + 1) return u.text;
    for (var j = k + 1; j < u.end; j++) {
      if (ranges(list[j].text, isMatch).length) return list[j].text;
    }
    return u.text;
  }

  /**
   * The hits of one article. `held[q]`: weight, posting, weight, posting... of the terms that
   * matched word q in the article (a posting names the units whose own words hold the term).
   * A unit holds what its subtree holds; the smallest unit holding the most wins, and a unit
   * is left out when one inside it holds as much, unless its own heading holds some of the
   * words (the article: its title holds them all).
   */
  function articleHits(art, words, held) {
    var list = units(art), n = list.length;
    var cov = new Float64Array(n), count = new Uint8Array(n);
    words.forEach(function (q, qi) {
      var sub = new Float64Array(n);
      var parts = held[qi] || [];
      for (var j = 0; j < parts.length; j += 2) {
        var w = parts[j];
        parts[j + 1].u.forEach(function (u) { if (u < n && w > sub[u]) sub[u] = w; });
      }
      for (var k = n - 1; k > 0; k--) {
        var p = list[k].parent;
        if (sub[k] > sub[p]) sub[p] = sub[k];
      }
      for (var k2 = 0; k2 < n; k2++) {
        if (sub[k2] > 0) { cov[k2] += q.idf * sub[k2]; count[k2]++; }
      }
    });
    // How many words the unit's own heading (the title for the article) holds.
    function labelHolds(u) {
      var toks = tokenize(u.label);
      return words.filter(function (q) { return toks.some(function (t) { return q.terms.has(t); }); }).length;
    }
    // How many of the unit's own words are query words, for the length of its text.
    function density(u) {
      var toks = tokenize(u.label + ' ' + u.text), n = 0;
      toks.forEach(function (t) { if (words.some(function (q) { return q.terms.has(t); })) n++; });
      return toks.length ? n / Math.sqrt(toks.length) : 0;
    }
    var best = cov[0];
    var hits = [];
    for (var k = 0; k < n; k++) {
      if (!cov[k] || cov[k] < best * 0.5) continue;
      var u = list[k], label = labelHolds(u);
      var inner = false;
      for (var j = k + 1; j < u.end && !inner; j++) inner = cov[j] >= cov[k] - 1e-9;
      // The article itself: only when its title holds every word, or nothing inside does.
      if (inner && (!label || (k === 0 && label < words.length))) continue;
      hits.push({ k: k, cov: cov[k], label: label === words.length, inner: inner, size: u.size, dense: density(u) });
    }
    // A heading (or title) that holds every word first; a unit before one around it that
    // holds no more; then the unit where the words are densest, then the smallest.
    hits.sort(function (a, b) {
      return b.cov - a.cov || b.label - a.label || a.inner - b.inner || b.dense - a.dense ||
        a.size - b.size || a.k - b.k;
    });
    return { list: list, hits: hits.slice(0, HITS_PER_ARTICLE) };
  }

  /* ---------- The search ---------- */

  /**
   * A search over one site's index. `load(path)` must run the index file at `path` (relative
   * to the site root, e.g. "search/t3.js") and resolve once it has run; the file calls the
   * methods of `receiver`, which the caller exposes as the global `stepbookSearch`.
   */
  function createSearch(load) {
    var manifest = null, terms = {}, buckets = {}, pending = {};
    var postings = new Map();

    var receiver = {
      manifest: function (m) { manifest = m; },
      terms: function (k, obj) { terms[k] = obj; },
      // A bucket comes deflated in base 64 (what the builder writes) or as the list itself;
      // `buckets[b]` is a promise of the list.
      docs: function (b, list) {
        buckets[b] = typeof list === 'string' ? inflate(list).then(JSON.parse) : Promise.resolve(list);
      },
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
      return ensure('search/d' + b + '.js', function () { return b in buckets; })
        .then(function () { return buckets[b]; });
    }

    /** The shard where `term` is or would be. */
    function shardAt(term) {
      var first = manifest.shards, lo = 0, hi = first.length - 1;
      while (lo < hi) {
        var mid = (lo + hi + 1) >> 1;
        if (first[mid] <= term) lo = mid; else hi = mid - 1;
      }
      return lo;
    }

    /** The shards holding `term` (more than one when its postings are split); its head, the
     *  articles where it scores highest, is in the last. */
    function shardsOf(term) {
      var b = shardAt(term), out = [b];
      while (b > 0 && manifest.more.indexOf(b) >= 0) out.unshift(--b);
      return out;
    }

    /** The shards a word needs: its own place, its stem's, and for a prefix the next one
     *  when it still starts with the prefix. `quick`: of a split term, not the shards
     *  between its first and its head. */
    function shardsFor(q, quick) {
      var out = [];
      [q.w, q.stem].forEach(function (key) {
        if (key) (quick ? [shardAt(key)] : shardsOf(key)).forEach(function (k) { add(out, k); });
      });
      var next = shardAt(q.w) + 1, count = manifest.shards.length;
      if (q.prefix && len(q.w) >= 3 && next < count && manifest.shards[next].indexOf(q.w) === 0) {
        var group = [next];
        while (next + 1 < count && manifest.more.indexOf(next + 1) >= 0) group.push(++next);
        // Quick: the first (its other terms) and the last (the head of the split term).
        (quick ? [group[0], next] : group).forEach(function (k) { add(out, k); });
      }
      return out;
    }

    function add(list, k) {
      if (list.indexOf(k) < 0) list.push(k);
    }

    /** The shards of `term` not loaded yet. */
    function missing(term) {
      return shardsOf(term).filter(function (k) { return !terms[k]; });
    }

    /** Postings of a term: article id -> {s: score, u: units}, from the loaded shards
     *  holding it (decoded again when more of them are loaded). */
    function post(term) {
      var ks = shardsOf(term).filter(function (k) { return terms[k]; });
      var p = postings.get(term);
      if (p && p.n === ks.length) return p.map;
      var map = new Map();
      ks.forEach(function (k) { if (terms[k][term]) decodePostings(terms[k][term], map); });
      postings.set(term, { n: ks.length, map: map });
      return map;
    }

    function collect(q, k, typo) {
      var shard = terms[k];
      for (var term in shard) {
        var w = matchWeight(q, term, typo);
        if (w > (q.terms.get(term) || 0)) q.terms.set(term, w);
      }
    }

    /**
     * A language stemmed at build time lists the endings its stemmer took off (the
     * manifest's `endings`): its query words lose those instead of the English ones, and
     * meet the stems the index holds.
     */
    function stemmed(words) {
      var endings = manifest.endings;
      if (!endings) return;
      endings = endings.concat(['']);
      words.forEach(function (q) {
        q.endings = endings;
        q.stem = len(q.w) >= 4 && !CJK.test(q.w) ? stem(q.w, endings) : '';
      });
    }

    function loadAll(list) {
      return Promise.all(list.map(loadShard));
    }

    /** The terms each word matches, and (unless `quick`) every shard of those terms. */
    function matchWords(words, quick) {
      words.forEach(function (q) { q.terms = new Map(); q.shards = shardsFor(q, quick); });
      return loadAll([].concat.apply([], words.map(function (q) { return q.shards; })))
        .then(function () {
          var retry = [];
          words.forEach(function (q) {
            q.shards.forEach(function (k) { collect(q, k, false); });
            // A typo is tried only when the word itself is nowhere near its place.
            if (!q.terms.size && q.typo) q.shards.forEach(function (k) { collect(q, k, true); });
            if (!q.terms.size && q.typo) {
              // The shard before: a letter left out can move the word past its term.
              [shardAt(q.w) - 1].concat(fallbackKeys(q.w).map(shardAt)).forEach(function (k) {
                if (k >= 0 && q.shards.indexOf(k) < 0) { q.shards.push(k); retry.push([q, k]); }
              });
            }
          });
          return loadAll(retry.map(function (r) { return r[1]; })).then(function () {
            retry.forEach(function (r) { collect(r[0], r[1], true); });
            var rest = [];
            words.forEach(function (q) {
              q.terms.forEach(function (w, term) { missing(term).forEach(function (k) { add(rest, k); }); });
            });
            return quick ? rest.length > 0 : loadAll(rest).then(function () { return false; });
          });
        });
    }

    /**
     * Every article holding any word, best first: [{id, score, held}, ...]. A word counts by
     * how rare it is (idf), how well it matched, and a little by its BM25 score there;
     * `held[q]` lists weight, posting, weight, posting... of the terms that matched word q
     * in the article.
     */
    function rank(words) {
      var N = manifest.articles, scores = new Map(), list = [];
      // Few objects per article: a search over a large site must not wake the collector.
      words.forEach(function (q, qi) {
        var touched = [];
        q.terms.forEach(function (w, term) {
          post(term).forEach(function (p, id) {
            var r = scores.get(id);
            if (!r) {
              r = { id: id, score: 0, held: new Array(words.length), seen: -1, best: 0 };
              scores.set(id, r);
              list.push(r);
            }
            if (r.seen !== qi) {
              r.seen = qi;
              r.best = 0;
              r.held[qi] = [];
              touched.push(r);
            }
            var s = w * (1 + BM25 * (p.s / TOP) * (p.s / TOP));
            if (s > r.best) r.best = s;
            r.held[qi].push(w, p);
          });
        });
        // With only the heads of long postings, each term's pieces hold about as many articles.
        var df = touched.length;
        q.terms.forEach(function (w, term) {
          var ks = shardsOf(term), have = ks.length - missing(term).length;
          df = Math.max(df, Math.min(N, Math.round(post(term).size * ks.length / have)));
        });
        q.idf = Math.log(1 + (N - df + 0.5) / (df + 0.5));
        for (var k = 0; k < touched.length; k++) touched[k].score += q.idf * touched[k].best;
      });
      // A unit holding every word on its own, more so in its heading: the article likely
      // answers the question there.
      var all = words.reduce(function (s, q) { return s + q.idf; }, 0);
      function everyHas(held, u, key) {
        for (var k = 0; k < held.length; k++) {
          var parts = held[k] || [], found = false;
          for (var j = 1; j < parts.length && !found; j += 2) found = parts[j][key].indexOf(u) >= 0;
          if (!found) return false;
        }
        return true;
      }
      function some(held, key) {
        var first = held[0] || [];
        for (var j = 1; j < first.length; j += 2) {
          var units = first[j][key];
          for (var k = 0; k < units.length; k++) if (everyHas(held, units[k], key)) return true;
        }
        return false;
      }
      for (var k = 0; k < list.length; k++) {
        var r = list[k];
        if (words.length > 1 && some(r.held, 'u')) r.score += OWN * all;
        if (some(r.held, 'l')) r.score += LABEL * all;
      }
      return list.sort(function (a, b) { return b.score - a.score || a.id - b.id; });
    }

    /** Moves the article `id` to the front of `ranked` when it ranks close to the first. */
    function keepFirst(ranked, id) {
      for (var i = 1; i < Math.min(KEEP_RANK, ranked.length); i++) {
        if (ranked[i].id !== id) continue;
        if (ranked[i].score >= KEEP_SHARE * ranked[0].score) ranked.unshift(ranked.splice(i, 1)[0]);
        return;
      }
    }

    /**
     * Search. `opts.limit`: how many articles (10); `opts.quick`: rank by what the heads of
     * the words' terms hold (the articles where they score highest), without loading the
     * rest of long postings: then `partial` says whether some were left out, and `total`
     * counts only the articles ranked. `opts.keep`: the id of the article a quick search
     * showed first, kept first when this search ranks it close to its own first (among
     * its first KEEP_RANK, with at least KEEP_SHARE of the best score), so that the first
     * result does not move under the reader. Resolves to {query, words, total, partial, groups}:
     * `groups` are the best articles, each
     * {article, url, score, highlight, hits}; each hit {kind, id, url, crumbs, path (the
     * crumbs inside the article), title, text, score}. `url`s are relative to the site root;
     * `highlight` lists the index terms found in that article, for the landing page.
     */
    function search(query, opts) {
      var limit = (opts && opts.limit) || 10;
      var words = parseQuery(query);
      var result = { query: String(query || ''), words: words, total: 0, partial: false, groups: [] };
      if (!words.length) return Promise.resolve(result);
      var content = contentWords(words);
      return loadManifest()
        .then(function () { stemmed(content); return matchWords(content, opts && opts.quick); })
        .then(function (partial) {
          result.partial = partial;
          var found = content.filter(function (q) { return q.terms.size; });
          if (!found.length) return result;
          var ranked = rank(found);
          if (opts && opts.keep != null) keepFirst(ranked, opts.keep);
          result.total = ranked.length;
          var top = ranked.slice(0, limit), P = manifest.per;
          return Promise.all(top.map(function (r) { return loadBucket(Math.floor(r.id / P)); }))
            .then(function (lists) {
              result.groups = top.map(function (r, i) {
                return group(lists[i][r.id % P], r.id, r.score, found, r.held);
              });
              return result;
            });
        });
    }

    function group(art, id, score, words, held) {
      var isMatch = function (tok) { return words.some(function (q) { return q.terms.has(tok); }); };
      var found = articleHits(art, words, held), list = found.list;
      var skip = art.c ? art.c.split(' \u203a ').length + 1 : 1;
      var hits = found.hits.map(function (h) {
        var u = list[h.k], c = crumbs(art, list, h.k);
        return {
          kind: u.kind, id: u.id, url: art.u + (u.id ? '#' + u.id : ''), crumbs: c,
          path: c.slice(skip), title: c[c.length - 1], text: hitText(list, h.k, isMatch) || '',
          score: h.cov,
        };
      });
      var highlight = [];
      words.forEach(function (q) {
        q.terms.forEach(function (w, term) { if (post(term).has(id)) highlight.push(term); });
      });
      return { id: id, article: art, url: art.u, score: score, hits: hits, highlight: highlight.slice(0, 12) };
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
    decodePostings: decodePostings,
    parseQuery: parseQuery,
    near: near,
    ranges: ranges,
    snippet: snippet,
    createSearch: createSearch,
    STOP_WORDS: Array.from(STOP),
  };
  if (typeof module === 'object' && module.exports) module.exports = api;
  root.stepbookSearchEngine = api;
})(typeof globalThis !== 'undefined' ? globalThis : this);
