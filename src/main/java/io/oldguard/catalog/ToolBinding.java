package io.oldguard.catalog;

/** How a tool is carried out: a legacy SOAP operation, or a SQL statement oldguard runs itself. */
public sealed interface ToolBinding permits SoapOperation, SqlQuery {
}
