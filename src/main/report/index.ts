// Escalation reports and support bundles (see src/shared/contract-report.ts).
export { buildBundle, draftReport, listReportIncidents, previewBundle, renderReport, redactResources, defaultSteps, channelsOf, type ReportDeps, type BuildOptions } from './report-builder';
export { verifyBundle, readBundleFile, unsafeEntryName, BundleRefusedError, BUNDLE_LIMITS, type BundleLimits, type OpenedBundle } from './bundle-reader';
export { openBundle, extractBundle, replayFolder } from './bundle-open';
export { BundleZipWriter, describeWriteError } from './bundle-zip-writer';
export { collectCluster, LiveCollectionError, COLLECTED_KINDS, type ClusterCollection } from './cluster-collection';
export { summarizeEnvironment } from './environment';
export { renderHtml, renderMarkdown, renderSummary, SECTION_TITLES, type ReportModel } from './render';
export { parseDuration } from './durations';
