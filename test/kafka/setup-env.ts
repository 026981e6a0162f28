// The handlers' Powertools loggers print JSON to stdout; the tests assert on results instead.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
// kafkajs warns once per producer about its v2 default partitioner.
process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';
