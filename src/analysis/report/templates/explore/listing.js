/* Explorer, part 7, only on a page whose article list is capped (params.yaml's
   explore.max_listed_articles; docs/explorer.md): the table's help and "About this page" say
   which articles are listed. Runs after main.js, and again after it on a language change. */
"use strict";
(function (X) {
  var meta = X.data.meta;

  function describe() {
    var none = meta.by_kind.none || 0;
    var coded = meta.n_articles - none;
    var listed = X.fmtInt(meta.n_listed) + " of the " + X.count(meta.n_articles, "article", "articles");
    document.getElementById("articles-help").textContent = listed + " are listed: every one coded " +
      "as cooperation (" + X.fmtInt(coded) + "), the " + X.fmtInt(meta.n_none_text) + " coded not " +
      "cooperation that are shown with their text, and a random sample of the others drawn with seed " +
      meta.seed + ". The table starts with the coded ones; choose \u201cAll articles\u201d under Kind " +
      "of cooperation to see the others too. Choose a title to read the article with its evidence.";
    document.getElementById("about-scale").textContent = "What the page holds, and how it stays light " +
      "for large corpora: the corpus has more articles than the page lists (at most " +
      X.fmtInt(meta.max_listed) + ", params.yaml's explore.max_listed_articles), so " + listed +
      " are listed (title, outlet, date, codes): every article coded as cooperation, the sampled " +
      "articles shown with text, and a random sample of the other articles coded not cooperation, " +
      "drawn with seed " + meta.seed + ". The counts at the top, the topics and the chart over time " +
      "cover every article; the table, its filters and its search cover the listed ones. Every " +
      "article is in " +
      "data/processed/classified.parquet (document rows; titles, outlets and dates in " +
      "data/processed/documents.parquet). The text and highlighted evidence are included for every " +
      "article coded as cooperation (" + X.fmtInt(coded) + "). Of the " +
      X.count(none, "article", "articles") + " coded not cooperation, a random sample of " +
      X.fmtInt(meta.n_none_text) + " (drawn with seed " + meta.seed + ") is included with its text; " +
      "for the other listed ones the page shows what the classifier noted about each cue it found, " +
      "without the text. The table shows 25 to 100 rows at a time; its search looks in the text of " +
      "the articles whose text is included and in the titles of all listed articles.";
  }

  describe();
  X.on("lang", describe);
})(EXPLORER);
