/*
 * test_list.h: every test, in the order they run (cheap unit tests first,
 * then the CLI, then the real server).  Add a test here when you write it.
 */
#define TEST_LIST(X) \
    X(test_utf8_decodes_valid_sequences) \
    X(test_utf8_rejects_invalid) \
    X(test_tokenizer_english_stems_and_drops_stop_words) \
    X(test_tokenizer_chinese_bigrams) \
    X(test_tokenizer_mixed_and_full_width) \
    X(test_tokenizer_offsets_point_into_the_text) \
    X(test_tokenizer_long_words_are_cut) \
    X(test_tokenizer_survives_random_bytes) \
    X(test_csv_quoted_fields_and_line_numbers) \
    X(test_csv_reports_malformed_records_and_goes_on) \
    X(test_json_parse_body_checks_before_parsing) \
    X(test_json_get_int_is_strict) \
    X(test_taxonomy_embedded_seed_has_sections_and_divisions) \
    X(test_taxonomy_rejects_orphans_and_bad_codes) \
    X(test_listing_valid_demand_applies) \
    X(test_listing_rejects_each_bad_member) \
    X(test_listing_patch_keeps_other_members) \
    X(test_listing_private_members_only_in_private_view) \
    X(test_auth_tokens_are_random_and_hash_alike) \
    X(test_auth_password_hash_verifies) \
    X(test_auth_limiter_locks_then_frees) \
    X(test_auth_limiter_never_evicts_a_live_lock) \
    X(test_index_ranks_listings_that_share_terms) \
    X(test_index_fields_weigh_in_when_both_sides_have_them) \
    X(test_index_remove_and_replace) \
    X(test_index_survives_empty_and_hostile_text) \
    X(test_index_pruned_top_k_equals_exhaustive) \
    X(test_index_explains_with_phrases_shares_and_fields) \
    X(test_store_migrates_an_empty_file) \
    X(test_store_listing_round_trip_and_search) \
    X(test_openapi_documents_every_route) \
    X(test_cli_help_on_every_subcommand) \
    X(test_cli_user_add_reads_the_password_from_stdin) \
    X(test_cli_import_reports_lines_and_is_idempotent) \
    X(test_cli_demo_seed_loads_through_import) \
    X(test_cli_readme_session_works_as_written) \
    X(test_cli_import_draws_progress_on_a_terminal) \
    X(test_cli_rank_prints_a_trec_run_and_reports_bad_lines) \
    X(test_api_authorization_matrix_covers_every_route) \
    X(test_api_authorization_matrix) \
    X(test_api_private_members_by_role) \
    X(test_api_register_login_me_logout) \
    X(test_api_register_rejects_bad_input) \
    X(test_api_tokens_expire_and_forgeries_fail) \
    X(test_api_login_is_rate_limited) \
    X(test_api_demand_lifecycle) \
    X(test_api_achievement_lifecycle) \
    X(test_api_bad_input_gets_problem_json_and_stores_nothing) \
    X(test_api_html_and_sql_are_stored_verbatim) \
    X(test_api_search_in_chinese_and_english) \
    X(test_api_filters_and_cursor_pages) \
    X(test_api_import_reports_bad_rows_and_reimports_idempotently) \
    X(test_api_import_json_lines_and_whole_file_errors) \
    X(test_api_matching_suggests_rescores_and_withdraws) \
    X(test_api_matching_survives_empty_and_hostile_text) \
    X(test_api_push_approval_reaches_the_inbox_once) \
    X(test_api_push_subscription_policy_and_digest) \
    X(test_api_server_catches_up_with_cli_imports) \
    X(test_api_restart_keeps_every_row) \
    X(test_api_failed_migration_refuses_to_start) \
    X(test_api_shutdown_is_clean_and_logged) \
    X(test_api_serves_ipv6_loopback) \
    X(test_openapi_served_document_lints_clean)
