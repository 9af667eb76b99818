package catalog

// CheckInterval refuses the interval_count (param names it) of an inline
// recurring price (price_data[recurring]) that a price created on its own
// would refuse: below 1, or billing more than three years at once.
func CheckInterval(interval string, count int64, param string) error {
	return checkPeriod(interval, count, param)
}
