/* Explorer, part 6: the page's opening summary, the label language, and start-up. */
"use strict";
(function (X) {
  var meta = X.data.meta;

  function kindCounts() {
    return X.data.kinds.filter(function (k) { return meta.by_kind[k]; }).map(function (k) {
      return X.fmtInt(meta.by_kind[k]) + " " + X.kindShort(k);
    }).join(", ");
  }

  function describe() {
    var dates = meta.date_min ? " published " + meta.date_min + " to " + meta.date_max : "";
    document.getElementById("summary").textContent = X.count(meta.n_articles, "article", "articles") + dates +
      " (duplicates left out): " + kindCounts() + ". The topic model found " +
      X.count(meta.n_topics, "topic", "topics") + " in " +
      X.count(meta.n_paragraphs_modelled, "paragraph", "paragraphs") + ".";
    var coded = meta.n_articles - (meta.by_kind.none || 0);
    var none = meta.by_kind.none || 0;
    document.getElementById("articles-help").textContent = "Every article is listed. The table starts with the " +
      X.count(coded, "article", "articles") + " coded as cooperation; choose \u201cAll articles\u201d under " +
      "Kind of cooperation to see the others too. Choose a title to read the article with its evidence.";
    var uncoded = none === 0 ? " No article was coded not cooperation."
      : meta.n_none_text === none ? " The " + X.count(none, "article", "articles") +
        " coded not cooperation are included with their text too."
      : " Of the " + X.count(none, "article", "articles") + " coded not cooperation, a random sample of " +
        X.fmtInt(meta.n_none_text) + " (drawn with seed " + meta.seed + ") is included with its text; for the " +
        "others the page shows what the classifier noted about each cue it found, without the text.";
    document.getElementById("about-scale").textContent = "What the page holds, and how it stays light for " +
      "large corpora: every article the classifier coded is listed (title, outlet, date, codes), " +
      X.count(meta.n_articles, "article", "articles") + " in all. The text and highlighted evidence are " +
      "included for every article coded as cooperation (" + X.fmtInt(coded) + ")." + uncoded +
      " The table shows 25 to 100 rows at a time; its search looks in the text of the articles whose " +
      "text is included and in the titles of all.";
  }

  function init() {
    var lang = document.getElementById("lang");
    lang.addEventListener("change", function () {
      X.state.lang = lang.value;
      describe();
      X.emit("lang", lang.value);
    });
    describe();
    X.topics.init();
    X.time.init();
    X.articles.init();
    X.evidence.init();
  }

  init();
})(EXPLORER);
