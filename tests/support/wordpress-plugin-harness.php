<?php
// Runs the WordPress plugin of docs/api.md outside WordPress: the few WordPress functions it
// calls, with wp_remote_post making real HTTP requests and WP-Cron's single events run at
// once (their waits printed instead of slept), and post meta kept in memory as WordPress's
// REST API shows it (registered keys with show_in_rest, under `meta`, when `_fields` asks).
// Environment: CRIER_PLUGIN (the plugin's file), CRIER_URL, CRIER_SECRET, CRIER_POST (the
// REST post object), and optionally CRIER_META (the post's meta, JSON), CRIER_BEFORE_STATUS
// (the status before the save; none: a new post) and CRIER_SAVES (how many saves, default 1).
// Prints {"attempts", "waits", "pending", "meta"} as JSON.
define('CRIER_URL', getenv('CRIER_URL'));
define('CRIER_SECRET', getenv('CRIER_SECRET'));

class WP_Post { public $post_type = 'post'; public $post_status = 'publish'; }
class WP_Error {
    function __construct(private string $message) {}
    function get_error_message(): string { return $this->message; }
}
class WP_REST_Request {
    function __construct(string $method, string $route) {}
    function set_query_params(array $params): void { global $query; $query = $params; }
}

$actions = [];
$options = [];
$query = [];
$registered = [];
$post_meta = json_decode(getenv('CRIER_META') ?: '{}', true);
$events = [];
$attempts = 0;

function add_action($hook, $callback, $priority = 10, $args = 1) { global $actions; $actions[$hook] = $callback; }
function wp_is_post_revision($id) { return false; }
function wp_is_post_autosave($id) { return false; }
function rest_do_request($request) {
    global $query, $registered, $post_meta;
    $post = json_decode(file_get_contents(getenv('CRIER_POST')), true);
    if (in_array('meta', explode(',', $query['_fields'] ?? ''), true)) {
        $shown = [];
        foreach ($registered as $key => $args) if ($args['show_in_rest'] ?? false) $shown[$key] = (string) ($post_meta[$key] ?? '');
        $post['meta'] = $shown;
    }
    return $post;
}
function register_post_meta($type, $key, $args) { global $registered; $registered[$key] = $args; return true; }
function get_post_meta($id, $key, $single) { global $post_meta; return $post_meta[$key] ?? ''; }
function update_post_meta($id, $key, $value) { global $post_meta; $post_meta[$key] = $value; return true; }
function rest_get_server() {
    return new class { function response_to_data($response, $embed) { return $response; } };
}
function wp_json_encode($value) { return json_encode($value, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE); }
function wp_generate_uuid4() { return bin2hex(random_bytes(16)); }
function add_option($key, $value, $deprecated, $autoload) { global $options; $options[$key] = $value; }
function get_option($key) { global $options; return $options[$key] ?? false; }
function delete_option($key) { global $options; unset($options[$key]); }
function is_wp_error($thing) { return $thing instanceof WP_Error; }
function wp_rand($min, $max) { return random_int($min, $max); }
function wp_schedule_single_event($at, $hook, $args) { global $events; $events[] = [$at - time(), $hook, $args]; }
function wp_remote_retrieve_response_code($response) { return $response['code']; }
function wp_remote_retrieve_header($response, $name) { return $response['headers'][strtolower($name)] ?? ''; }
function wp_remote_retrieve_body($response) { return $response['body']; }
function wp_remote_post($url, $args) {
    global $attempts;
    $attempts++;
    $headers = '';
    foreach ($args['headers'] as $name => $value) $headers .= "$name: $value\r\n";
    $context = stream_context_create(['http' => [
        'method' => 'POST', 'header' => $headers, 'content' => $args['body'],
        'timeout' => $args['timeout'], 'ignore_errors' => true,
    ]]);
    $body = @file_get_contents($url, false, $context);
    if ($body === false) return new WP_Error(error_get_last()['message'] ?? 'no answer');
    $code = 0;
    $received = [];
    foreach ($http_response_header as $line) {
        if (preg_match('#^HTTP/\S+ (\d+)#', $line, $match)) $code = (int) $match[1];
        elseif (str_contains($line, ':')) {
            [$name, $value] = explode(':', $line, 2);
            $received[strtolower(trim($name))] = trim($value);
        }
    }
    return ['code' => $code, 'headers' => $received, 'body' => $body];
}

require getenv('CRIER_PLUGIN');

if (isset($actions['init'])) $actions['init']();
$before = null;
if (getenv('CRIER_BEFORE_STATUS')) { $before = new WP_Post(); $before->post_status = getenv('CRIER_BEFORE_STATUS'); }
for ($save = 0; $save < (int) (getenv('CRIER_SAVES') ?: 1); $save++) {
    $actions['wp_after_insert_post'](41872, new WP_Post(), $before !== null, $before);
    $before = new WP_Post();
}
$waits = [];
while ($events) {
    [$wait, $hook, $args] = array_shift($events);
    $waits[] = $wait;
    $actions[$hook](...$args);
}
echo json_encode(['attempts' => $attempts, 'waits' => $waits, 'pending' => count($options), 'meta' => $post_meta]), "\n";
