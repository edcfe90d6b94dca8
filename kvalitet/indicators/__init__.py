"""Indicators: national statistics (Udir's Elevundersøkelsen, nasjonale prøver, grunnskolepoeng,
Foreldreundersøkelsen) and a municipality's own surveys, beside the units' self-assessments.

- `catalogue`: what is measured (kvalitet/data/indicators.yaml) and where in Udir's tables;
- `cells`: one value as Udir writes it (decimal comma, «*» suppressed, «-» no data);
- `udir`: the export API's client (pages, retries, Udir's refusals);
- `rows`: the sources' rows (flat or pivoted) to figures, suppression kept;
- `store`: an import as one batch, all or nothing, the same data written once;
- `imports`: reading, checking and storing together, for the CLI and the worker;
- `suppression`: what may be shown: thresholds, complementary suppression, safe roll-ups;
- `series`: figures as time series with county and national comparison, for the API.
"""
