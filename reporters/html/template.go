package html

// The page is written as constants, not files, so that the style's and the
// script's hashes in the Content-Security-Policy are computed from exactly
// the bytes the page holds.

const pageHead = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{{.CSP}}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{{.Title}}</title>
`

const pageBody = `</head>
<body>
<header>
<h1>{{.Title}}</h1>
<p class="meta">{{if .Tool}}Written by {{.Tool}}. {{end}}Scanned {{.Scanned}}. {{if .AsOf}}Exposure ages as of <span class="date">{{.Reference}}</span>.{{else if .Reference}}Newest commit in the report: <span class="date">{{.Reference}}</span>.{{end}} Secrets appear only as a redacted preview and a short SHA-256.</p>
</header>

<section aria-labelledby="h-summary">
<h2 id="h-summary">Summary</h2>
<div class="cards">
<div class="card total"><span class="n">{{.Total}}</span> finding{{if ne .Total 1}}s{{end}}</div>
{{range .Severities}}<div class="card {{sevclass .Name}}"><span class="n">{{.Count}}</span> {{.Name}}</div>
{{end}}{{if .Repos}}<div class="card"><span class="n">{{.Repos}}</span> repositor{{if eq .Repos 1}}y{{else}}ies{{end}}</div>
<div class="card{{if .Failed}} bad{{end}}"><span class="n">{{len .Failed}}</span> failed to scan</div>
{{if .Partial}}<div class="card bad"><span class="n">{{len .Partial}}</span> scanned in part</div>
{{end}}{{end}}{{if .Unreadable}}<div class="card bad"><span class="n">{{.Unreadable}}</span> unreadable object{{if ne .Unreadable 1}}s{{end}}</div>
{{end}}{{with .Changes}}<div class="card new"><span class="n">{{.New}}</span> new</div>
<div class="card"><span class="n">{{.Open}}</span> still open</div>
<div class="card fixed"><span class="n">{{.Fixed}}</span> fixed</div>
{{end}}</div>
{{with .Changes}}<p>Compared with the previous report <code>{{.Previous}}</code>.</p>{{end}}
</section>
{{if .Failed}}
<section aria-labelledby="h-failed">
<h2 id="h-failed">Repositories not scanned</h2>
<p>These repositories failed; their findings are neither counted here nor reported fixed.</p>
<table class="plain">
<thead><tr><th>Repository</th><th>Error</th></tr></thead>
<tbody>
{{range .Failed}}<tr><td>{{.Name}}</td><td class="err">{{.Error}}</td></tr>
{{end}}</tbody>
</table>
</section>
{{end}}{{range .Notes}}<p class="note"><strong>Note:</strong> {{.}}</p>
{{end}}{{if or .Gaps .Partial}}
<section aria-labelledby="h-gaps">
<h2 id="h-gaps">Not scanned</h2>
<p>What these objects hold could not be read: it is not in this report, and it is not a clean result. Every other commit and file was scanned.</p>
{{if .Partial}}<table class="plain">
<thead><tr><th>Repository scanned in part</th><th>What could not be read</th></tr></thead>
<tbody>
{{range .Partial}}<tr><td>{{.Name}}</td><td class="err">{{.Error}}</td></tr>
{{end}}</tbody>
</table>
{{end}}{{if .Gaps}}<table class="plain">
<thead><tr>{{if .ShowRepo}}<th>Repository</th>{{end}}<th>Kind</th><th>File</th><th>Commit</th><th>Object</th><th>Detail</th></tr></thead>
<tbody>
{{range .Gaps}}<tr>{{if $.ShowRepo}}<td>{{.Repository}}</td>{{end}}<td>{{.Kind}}</td><td class="path" title="{{.Path}}">{{template "path" .Path}}</td><td class="path">{{.Commit}}</td><td class="path">{{.Object}}</td><td>{{.Detail}}</td></tr>
{{end}}</tbody>
</table>
{{end}}{{if .GapsMore}}<p class="note">and {{.GapsMore}} more gaps not shown (the JSON report lists every one).</p>
{{end}}</section>
{{end}}
<section aria-labelledby="h-charts">
<h2 id="h-charts">Charts</h2>
<div class="charts">
{{range .Charts}}{{template "chart" .}}{{end}}</div>
</section>

<section aria-labelledby="h-findings">
<h2 id="h-findings">Findings</h2>
{{if .Rows}}<div class="controls">
<label>Filter <input id="filter" type="search" placeholder="repository, rule, path, preview…" autocomplete="off"></label>
<label>Severity <select id="severity"><option value="">all</option>{{range .SeverityNames}}<option value="{{.}}">{{.}}</option>{{end}}</select></label>
<span class="shown"><span id="shown">{{len .Rows}}</span> of {{len .Rows}} shown</span>
</div>
<div class="scroll">
<table id="findings" class="findings">
<thead><tr>
{{if .ShowRepo}}<th data-type="text"><button type="button">Repository</button></th>
{{end}}<th data-type="num" aria-sort="descending"><button type="button">Severity</button></th>
<th data-type="text"><button type="button">Rule</button></th>
<th data-type="text"><button type="button">File:line</button></th>
<th data-type="text"><button type="button">First seen</button></th>
<th data-type="num"><button type="button">Exposed</button></th>
<th data-type="text"><button type="button">Introduced by</button></th>
<th data-type="text"><button type="button">At HEAD</button></th>
<th data-type="text"><button type="button">Preview</button></th>
<th data-type="text"><button type="button">Remediation</button></th>
</tr></thead>
<tbody>
{{range .Rows}}{{template "row" .}}{{end}}</tbody>
</table>
</div>
{{else}}<p>No findings.</p>
{{end}}</section>
{{with .Changes}}{{if .Rows}}
<section aria-labelledby="h-fixed">
<h2 id="h-fixed">Fixed since the last report</h2>
<div class="scroll">
<table class="plain">
<thead><tr><th>Repository</th><th>Severity</th><th>Rule</th><th>File:line</th><th>First seen</th><th>Introduced by</th><th>Preview</th></tr></thead>
<tbody>
{{range .Rows}}<tr><td>{{.Repository}}</td><td><span class="{{sevclass .Severity}}">{{.Severity}}</span></td><td>{{.Rule}}</td><td class="path" title="{{.Location}}">{{template "path" .Location}}</td><td class="date">{{.FirstSeen}}</td><td>{{template "intro" .}}</td><td class="preview">{{.Preview}}</td></tr>
{{end}}</tbody>
</table>
</div>
</section>
{{end}}{{end}}
{{define "row"}}<tr data-severity="{{.Severity}}">
{{if .ShowRepo}}<td>{{.Repository}}</td>
{{end}}<td data-v="{{.Rank}}"><span class="{{sevclass .Severity}}">{{.Severity}}</span>{{if eq .Change "new"}} <span class="badge new">new</span>{{end}}{{if .Verification}} <span class="badge verify-{{.Verification}}">{{.Verification}}</span>{{end}}</td>
<td title="{{.RuleTitle}}">{{.Rule}}</td>
<td class="path" data-v="{{.LocationKey}}" title="{{.Location}}">{{template "path" .Location}}</td>
<td class="date">{{.FirstSeen}}</td>
<td class="age" data-v="{{.AgeKey}}"{{if .AgeTitle}} title="{{.AgeTitle}}"{{end}}>{{.Age}}</td>
<td>{{template "intro" .}}</td>
<td>{{.AtHead}}</td>
<td class="preview"{{if .Hash}} title="sha256 {{.Hash}}"{{end}}>{{.Preview}}</td>
<td>{{.Todo}}{{if .HelpURI}} <a href="{{.HelpURI}}" rel="noopener noreferrer">rule help</a>{{end}}</td>
</tr>
{{end}}
{{/* a path may wrap after a "/" only; the cell's title holds it whole */}}{{define "path"}}{{range $i, $p := parts .}}{{if $i}}<wbr>{{end}}<span>{{$p}}</span>{{end}}{{end}}
{{define "intro"}}{{if .IntroSHA}}<code class="sha">{{.IntroSHA}}</code>{{if .IntroAuthor}} {{.IntroAuthor}}{{end}}{{end}}{{end}}
{{define "chart"}}<figure class="chart" id="{{.ID}}">
<figcaption>{{.Title}}</figcaption>
{{if .Bars}}<svg viewBox="0 0 {{.Width}} {{.Height}}" width="{{.Width}}" height="{{.Height}}" role="img" aria-label="{{.Title}}">
{{range .Bars}}<g><title>{{.Full}}: {{.Count}}</title><text x="{{$.LabelWidth}}" dx="-8" y="{{.TextY}}" text-anchor="end">{{.Label}}</text><rect x="{{$.LabelWidth}}" y="{{.Y}}" width="{{.Width}}" height="18" fill="{{.Fill}}"></rect><text x="{{.CountX}}" y="{{.TextY}}">{{.Count}}</text></g>
{{end}}</svg>
{{else}}<p>{{.Empty}}</p>
{{end}}{{if .More}}<p class="note">and {{.More}} more not shown.</p>
{{end}}{{if .Note}}<p class="note">{{.Note}}</p>
{{end}}</figure>
{{end}}`

const style = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;padding:1rem 2rem;max-width:1400px;color:#222;background:#fff}
h1{font-size:1.5rem;margin:.5rem 0}h2{font-size:1.2rem;margin:1.6rem 0 .6rem;border-bottom:1px solid #ddd}
.meta,.note{color:#555}.note{font-size:.85rem;margin:.2rem 0}
.cards{display:flex;flex-wrap:wrap;gap:.5rem}.card{border:1px solid #ddd;border-radius:6px;padding:.4rem .8rem;min-width:6rem}
.card .n{display:block;font-size:1.4rem;font-weight:600}.card.bad{border-color:#d32f2f;color:#b71c1c}
.sev{font-weight:600}.sev-critical{color:#8e24aa}.sev-high{color:#d32f2f}.sev-medium{color:#e65100}.sev-low{color:#0277bd}.sev-info{color:#616161}
.badge{font-size:.75rem;border-radius:3px;padding:0 .3rem;background:#eee}.badge.new{background:#fff3cd}.badge.verify-live{background:#f8d7da}
.charts{display:flex;flex-wrap:wrap;gap:1.5rem}.chart{margin:0}.chart figcaption{font-weight:600;margin-bottom:.3rem}
svg text{font-size:12px;fill:#333}.chart svg{max-width:100%;height:auto}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #e5e5e5;padding:.3rem .4rem;text-align:left;vertical-align:top}
th button{font:inherit;font-weight:600;border:0;background:none;padding:0;cursor:pointer}
th[aria-sort=ascending] button::after{content:" \25B2"}th[aria-sort=descending] button::after{content:" \25BC"}
td.path,td.preview,td.err,code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.85rem}
td.err{overflow-wrap:anywhere}
td.path span,td.preview,td.date,td.age,.date,code.sha,.sev,.badge{white-space:nowrap}
.scroll{overflow-x:auto}
.controls{display:flex;flex-wrap:wrap;gap:1rem;align-items:center;margin-bottom:.5rem}.controls input{width:22rem;max-width:60vw}
tr[hidden]{display:none}
`

const script = `
(function () {
  "use strict";
  var table = document.getElementById("findings");
  if (!table) { return; }
  var body = table.tBodies[0];
  var filter = document.getElementById("filter");
  var severity = document.getElementById("severity");
  var shown = document.getElementById("shown");
  function apply() {
    var words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
    var sev = severity.value, n = 0;
    Array.prototype.forEach.call(body.rows, function (row) {
      var text = row.textContent.toLowerCase();
      var ok = (!sev || row.getAttribute("data-severity") === sev) &&
        words.every(function (w) { return text.indexOf(w) >= 0; });
      row.hidden = !ok;
      if (ok) { n++; }
    });
    shown.textContent = String(n);
  }
  filter.addEventListener("input", apply);
  severity.addEventListener("change", apply);
  var heads = table.tHead.rows[0].cells;
  function key(row, i) {
    var cell = row.cells[i];
    var v = cell.getAttribute("data-v");
    return v !== null ? v : cell.textContent.trim().toLowerCase();
  }
  function sortBy(i) {
    var th = heads[i];
    var numeric = th.getAttribute("data-type") === "num";
    var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
    if (!th.hasAttribute("aria-sort") && numeric) { dir = -1; }
    Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", dir > 0 ? "ascending" : "descending");
    var rows = Array.prototype.slice.call(body.rows).map(function (row, n) { return [row, n]; });
    rows.sort(function (a, b) {
      var x = key(a[0], i), y = key(b[0], i), c;
      if (numeric) { c = Number(x) - Number(y); } else { c = x < y ? -1 : x > y ? 1 : 0; }
      return c * dir || a[1] - b[1];
    });
    rows.forEach(function (r) { body.appendChild(r[0]); });
  }
  Array.prototype.forEach.call(heads, function (th, i) {
    th.querySelector("button").addEventListener("click", function () { sortBy(i); });
  });
}());
`
