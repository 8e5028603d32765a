// English strings of the logs feature, spread into en.ts. Keys start with "logs." (search strings
// with "search.").
export const logsEn = {} as const;
