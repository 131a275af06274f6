/** Implementation of the index advisor; not API. */
package dev.optimizer.db.advisor.internal;
