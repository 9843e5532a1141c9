package cxg.agency.report;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The JSON form of an error, e.g. {@code {"error":"INVALID_ARGUMENT","field":"subject.value","message":"..."}};
 * {@code rule} names the policy rule of a denial when the gateway gave one.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ErrorView(String error, String field, String message, String rule) {
}
