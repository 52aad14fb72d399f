/* api_auth.h: handlers for registration, login, logout and /api/me (see routes.c). */
#ifndef TM_API_AUTH_H
#define TM_API_AUTH_H
#include "http.h"

void api_auth_register(http_request *r);
void api_auth_login(http_request *r);
void api_auth_logout(http_request *r);
void api_auth_me(http_request *r);
/* POST /api/auth/verify {token, cookie?}: completes a registration confirmed by email and signs in (201). */
void api_auth_verify(http_request *r);

/* Checks an email address's shape; returns NULL if fine, else the reason. Used by the CLI too. */
const char *api_auth_email_problem(const char *email);
/*
 * Checks a new password (registration, staff, the CLI's user add): length,
 * not only spaces, not one repeated character, not a common password.
 * Returns NULL if fine, else the reason (a static string).
 */
const char *api_auth_password_problem(const char *password);
/* GET /api/users: admins; every broker and admin account. */
void api_auth_staff_list(http_request *r);
/* GET /api/staff: brokers and admins; who a match may be assigned to: each broker's and admin's id, name, role. */
void api_auth_staff_names(http_request *r);
/* POST /api/users {email, password, display_name, role: broker|admin, org_name}: admins add staff. */
void api_auth_staff_add(http_request *r);

#endif
