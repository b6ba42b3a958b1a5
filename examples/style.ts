/** The example app's one style sheet. Phones (below 40rem): the header folds into a menu, the devices table into cards. */
export const STYLE = `
  *, *::before, *::after { box-sizing: border-box; }
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 54rem; margin: 0 auto; padding: 0 1rem 2rem; color: #1f2328; overflow-wrap: anywhere; }
  header { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; padding: .75rem 0; border-bottom: 1px solid #d0d7de; margin-bottom: 1.5rem; }
  .brand { font-weight: 600; color: inherit; text-decoration: none; margin-right: auto; }
  .brand span { color: #59636e; font-weight: 400; }
  .site-nav { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; }
  nav { display: flex; flex-wrap: wrap; gap: .25rem 1rem; }
  .who { color: #59636e; max-width: 12rem; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  .menu-toggle { display: none; }
  a { color: #0b5cad; }
  h1 { font-size: 1.6rem; margin: 0 0 1rem; }
  h2 { font-size: 1.2rem; margin: 2rem 0 .5rem; }
  form { margin: 0; }
  form.inline { display: inline; }
  button { font: inherit; padding: .35rem .9rem; cursor: pointer; border: 1px solid #8c959f; border-radius: 6px; background: #f6f8fa; color: inherit; }
  button:hover { background: #eaeef2; }
  button.primary { background: #0b5cad; border-color: #0b5cad; color: #fff; }
  button.danger { color: #b3261e; border-color: #d9a3a0; }
  button:disabled { opacity: .6; cursor: default; }
  input[type=text] { font: inherit; padding: .35rem .5rem; border: 1px solid #8c959f; border-radius: 6px; max-width: 100%; }
  table { border-collapse: collapse; width: 100%; }
  td, th { text-align: left; padding: .4rem .5rem; border-bottom: 1px solid #eaeef2; vertical-align: top; }
  td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
  .notice { padding: .6rem .9rem; border-radius: 6px; border-left: 4px solid; }
  .notice.ok { color: #1a5d2a; background: #e9f6ec; border-color: #2e7d32; }
  .notice.error { color: #8c1d18; background: #fdeceb; border-color: #b3261e; }
  .muted { color: #59636e; font-size: .9em; }
  .badge { display: inline-block; font-size: .8em; font-weight: 600; padding: 0 .5rem; border-radius: 999px; background: #0b5cad; color: #fff; margin-left: .4rem; white-space: nowrap; }
  tr.current { background: #f0f6ff; }
  time { text-decoration: underline dotted #8c959f; cursor: help; }
  .row { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; margin: .75rem 0; }
  .products { list-style: none; padding: 0; margin: 0; }
  .products li { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; justify-content: space-between; padding: .4rem 0; border-bottom: 1px solid #eaeef2; }
  .demo { border: 1px dashed #8c959f; border-radius: 8px; padding: .25rem 1rem 1rem; margin-top: 2rem; }
  .demo h2 { margin-top: .75rem; }
  .demo .label { font-size: .75em; font-weight: 600; text-transform: uppercase; letter-spacing: .05em; color: #6f42c1; }
  dl.stats { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1rem; }
  dl.stats dt { font-weight: 600; }
  dl.stats dd { margin: 0; }
  @media (max-width: 40rem) {
    body { padding: 0 .75rem 1.5rem; }
    header { gap: .5rem; }
    .brand { font-size: .95rem; }
    .menu-toggle { padding: .25rem .7rem; }
    h1 { font-size: 1.35rem; }
    .js .menu-toggle { display: inline-block; }
    .js .site-nav { display: none; }
    .js body.menu-open .site-nav { display: flex; }
    .site-nav { flex-basis: 100%; flex-direction: column; align-items: stretch; }
    nav { flex-direction: column; }
    nav a { padding: .35rem 0; }
    table.cards thead { display: none; }
    table.cards, table.cards tbody, table.cards tr, table.cards td { display: block; width: 100%; }
    table.cards tr { border: 1px solid #d0d7de; border-radius: 8px; padding: .5rem .75rem; margin-bottom: .75rem; }
    table.cards td { border: 0; padding: .15rem 0; text-align: left; }
    table.cards td[data-label]::before { content: attr(data-label) ": "; color: #59636e; }
    dl.stats { grid-template-columns: 1fr; }
    dl.stats dd { margin-bottom: .5rem; }
  }
`
